"""Monitoring configuration as code: ``openstack monitoring config ...``.

Not to be confused with ``openstack.config`` / ``clouds.yaml``: this package
holds the *declarative model* of a project's notification methods and alarm
definitions, kept in YAML files.

Flow (``export`` reads, ``diff`` plans, ``apply`` plans and writes)::

    files --load--> Model --+                     +--> Plan --apply--> API
      (${VARS} substituted, |  make_plan(Model,   |   (methods, definitions,
       every field checked) +-- State) -----------+    deletions last)
    API --State.read--> State --export.build/dump--> YAML

Invariants: nothing is sent before every file parsed and passed the
client's checks (``common.validation``, the expression parser); the plan is
made from fresh reads (GETs) before the first write; objects are matched by
name, actions reference methods by name; ``export`` then ``apply`` of its
output changes nothing. Every request goes through the managers of
``monasca_osc.api``. Modules: ``variables`` (``${NAME}``), ``model`` (the
two object kinds), ``load`` (files -> Model), ``plan`` (State, Plan,
prune guards), ``apply`` (Applier, Outcome), ``export``.
"""
