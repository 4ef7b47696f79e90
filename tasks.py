"""Invoke entry point: one line per task into the `gitops` package. Run `invoke --list`."""

from invoke import Collection

from gitops.tasks import cluster, core, e2e, release, secrets, tools, validate

ns = Collection(core.render, core.status, core.doctor, core.bench, release.bump, release.promote)
ns.add_collection(Collection.from_module(validate), name="validate")
ns.add_collection(Collection.from_module(secrets), name="secrets")
ns.add_collection(Collection.from_module(cluster), name="cluster")
ns.add_collection(Collection.from_module(tools), name="tools")
ns.add_collection(Collection.from_module(e2e), name="e2e")
