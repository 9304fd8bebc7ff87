"""What runs in a participant's kernel: widgets, notebook parts, setup check, plan."""
