"""What every app of the register needs, and depends on no app: the admin base, choice values."""
