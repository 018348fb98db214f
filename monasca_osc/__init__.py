"""monasca-osc: OpenStackClient plugin, ``monasca`` CLI and Python client
for the OpenStack Monasca monitoring API, with a local API sandbox."""
