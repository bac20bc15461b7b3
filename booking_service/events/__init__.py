"""Concert events: their Redis keys, their descriptions and the registry of all of them."""
