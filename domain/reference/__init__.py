"""Reference data each OPCC configures: organisations, areas, NPAs, topics and board kinds."""
