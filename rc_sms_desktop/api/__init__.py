"""Talking to RingCentral: sign-in, tokens, rate limits, retries, paging and typed errors. No Qt."""
