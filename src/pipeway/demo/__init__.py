"""Demo applications that show pipeway end to end."""
