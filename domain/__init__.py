"""Oversight's domain: the business rules and use cases, free of any web framework."""
