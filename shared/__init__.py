"""Code shared by the booking service and the edge servers: settings, venue layout,
wire models, NATS subjects and logging set-up."""
