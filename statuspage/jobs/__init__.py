"""RQ jobs: take ids, stay thin, let failures raise so RQ's Retry works."""
