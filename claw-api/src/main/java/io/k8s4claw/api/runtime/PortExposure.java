package io.k8s4claw.api.runtime;

/** Who may reach a runtime port. */
public enum PortExposure {
    /** Bound to 127.0.0.1: only containers of the same pod (the bridge) reach it. Never in a Service or Ingress. */
    LOOPBACK,
    /** Bound to the pod IP: may be put into the Claw's Service and, when the Claw asks, an Ingress. */
    POD
}
