"""Idempotency keys: a retried creating request returns its first result."""
