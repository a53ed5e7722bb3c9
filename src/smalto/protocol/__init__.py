"""The wire contract shared by the SDK and the server: names, payloads, descriptors. No I/O."""
