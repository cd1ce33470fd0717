"""Email to subscribers, one module per concern.

``fanout``: who hears about which event, one delivery row per address;
``deliveries``: the delivery rows and their state machine;
``sending``: a batch of deliveries sent over reused connections;
``content``: what each message says; ``mime``: its wire bytes;
``transport``: SMTP, or ``.eml`` files on the embedded default.
"""
