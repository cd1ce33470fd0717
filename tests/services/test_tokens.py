"""Subscriber link tokens: signed here directly, in the format itsdangerous reads."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from statuspage.services import tokens


@pytest.mark.parametrize("purpose", tokens.PURPOSES)
@pytest.mark.parametrize("subscriber_id, email", [(1, "a@example.com"), (123456789, "Jösé@Bücher.example")])
def test_a_token_is_the_one_itsdangerous_makes_and_loads_back(app, purpose, subscriber_id, email):
    issued = datetime(2026, 12, 1, 12, 30, 5, tzinfo=timezone.utc)
    stamp = int(issued.timestamp())
    signer = type("FixedTime", (TimestampSigner,), {"get_timestamp": lambda self: stamp})
    reference = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=f"statuspage.subscriber.{purpose}",
                                       signer=signer)
    token = tokens.make(purpose, subscriber_id, email, issued_at=issued)
    assert token == reference.dumps([subscriber_id, tokens.email_digest(email)])
    fresh = tokens.load(purpose, tokens.make(purpose, subscriber_id, email))
    assert (fresh.subscriber_id, fresh.email_digest) == (subscriber_id, tokens.email_digest(email))
    with pytest.raises(tokens.InvalidToken):
        tokens.load("confirm" if purpose != "confirm" else "manage", token)
