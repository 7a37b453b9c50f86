"""The accountability record: one append-only event per change."""
