"""Accounts: users, roles, scopes, sessions, API tokens and the Actor every request becomes."""
