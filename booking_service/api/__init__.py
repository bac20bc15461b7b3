"""HTTP routes of the booking service, one module per resource."""
