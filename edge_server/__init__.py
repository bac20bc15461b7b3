"""The edge server: relays browsers' seat commands to the booking service and fans every
seat change out to them over WebSocket, from an in-memory mirror of the venue."""
