"""E-mail: the outbox and its sender, the office's templates, the notices and reminders."""
