"""Names vulture reports as unused that are used, by a framework that finds them by name.

Each entry says who uses it. Run ``vulture`` (configured in pyproject.toml) after deleting code:
anything it reports that is not listed here is dead and should go.
"""

# ruff: noqa: B018, F821

# pydantic reads these: the model config, fields that only YAML fills, and validators.
_.model_config
_.confidence_before
_.confidence_after
_.balanced
_.overconfident
_._known_zone

# traitlets and nbconvert read these by name (preprocessor lists, @default initialisers).
_.default_preprocessors
_._preprocessors
_._offline_loaders
_._no_mathjax
_._no_require_js
_._no_jquery
_.attachments

# jupyter_client's kernel provisioner calls these on the process object it is handed.
_.terminate
_.process
_.pgid

# ipywidgets traits, synced to the browser when set.
_.description_width
_.button_style
_.continuous_update
_.disabled

# pytest and the HTML parsers in tests call these by name (hook arguments included).
call
_.handle_starttag
_.handle_startendtag
_.handle_endtag
_.handle_data

# Python calls a module's __getattr__ and __dir__ (PEP 562): the report package's lazy names.
__getattr__
__dir__

# ipywidgets syncs this trait to the browser when it is set (the blind grader's level hints).
_.tooltips
_sort_by_timestamp  # nbgrader's ExchangeCollect calls it (hub/nbgrader_exchange.py)
# Called by nbgrader (MetadataValidator.validate_nb) and jupyter_client (KernelManager.client()).
_.validate_cell
_.client_factory
# nbgrader's Gradebook calls get_table_names on what inspect() returns; traitlets reads the
# exporter's optimistic_validation; nbclient calls the client's wait_for_ready.
_.get_table_names
_.optimistic_validation
wait_for_ready
