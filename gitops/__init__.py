"""trigger-gitops: generate, encrypt and bump the Trigger.dev manifests of a Kubernetes fleet."""

__version__ = "0.1.0"
