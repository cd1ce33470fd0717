"""Delivery channels beyond email: signed webhooks to subscribers, Slack and Teams.

They share the email machinery (outbox -> fan-out -> one delivery row per
recipient and event, leases, retries with backoff, the operator view); what
differs is the body (rendered once per event, see :mod:`.render`) and the
transport (HTTP behind the SSRF guard, see :mod:`.http_sending`).
"""
