"""Golden files (expected output) of the tests beside this directory."""
