"""What integrators follow: the change feed's appends, the webhook outbox and its sender."""
