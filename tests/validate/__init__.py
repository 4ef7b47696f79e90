"""Tests of offline validation, policy, schemas and CI workflows."""
