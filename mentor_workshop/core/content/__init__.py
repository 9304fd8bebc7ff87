"""Workshop content as data: YAML with line numbers, its models, the curriculum."""
