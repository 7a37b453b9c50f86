"""Reference data each OPCC configures: organisations, areas, NPAs and topics."""
