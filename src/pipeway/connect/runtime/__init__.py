"""Running connector tasks: source and sink runners, offsets, conversion, error handling."""
