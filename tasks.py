"""Invoke entry point: one line per task into the `gitops` package. Run `invoke --list`."""

from invoke import Collection

from gitops.tasks import cluster, core, release, tools

ns = Collection(core.render, core.status, core.doctor, release.bump, release.promote)
ns.add_collection(Collection.from_module(tools), name="tools")
ns.add_collection(Collection.from_module(cluster), name="cluster")
