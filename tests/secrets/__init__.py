"""Secrets tests: real sops and age, TEST keys only."""
