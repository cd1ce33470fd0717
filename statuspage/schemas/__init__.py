"""Marshmallow schemas: the single place where input is validated and output shaped."""
