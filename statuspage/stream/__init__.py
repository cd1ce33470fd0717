"""Live updates: outbox relay into a Redis stream, and SSE endpoints reading it."""
