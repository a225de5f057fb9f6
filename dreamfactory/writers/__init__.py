"""Writing backends: the offline draft writer and chat models through the openai client."""
