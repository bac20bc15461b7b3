"""The operator's view of an event: its audit log, the census of connected people,
its recent changes, the dashboard figures and the live socket that pushes them."""
