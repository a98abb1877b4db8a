package dev.teeledger.agent;

import dev.teeledger.protocol.state.v1.HsmRecord;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An {@link EndpointResolver} that finds the testee's tpm-sidecar through the Kubernetes API
 * server instead of trusting the {@code sidecar_endpoint} the HSM advertised at join. Used by
 * {@link Main} with {@code -Dteeledger.agent.resolver=kubernetes}; the attestation service may
 * build one around its own Fabric8 client.
 *
 * <p>Label contract ({@code docs/verifier-agent.md}, "Kubernetes endpoint resolver"). Label
 * values are at most 63 characters, so a 64-hex HSM id cannot be a label value; selection uses a
 * prefix label and the exact id is an annotation:
 * <ul>
 *   <li>label {@value #COMPONENT_LABEL} = {@value #COMPONENT_VALUE};</li>
 *   <li>label {@value #HSM_LABEL} = the first {@value #PREFIX_CHARS} hex digits (lower case) of the HSM id;</li>
 *   <li>annotation {@value #HSM_ANNOTATION} = the full 64-hex HSM id (lower case).</li>
 * </ul>
 * A Service carrying them wins: the URL is {@code http://<name>.<namespace>.svc:<port>}, the port
 * named {@value #PORT_NAME} (else the only port). Without such a Service, a Running Pod with an IP
 * carrying them is used: {@code http://<podIP>:<containerPort named http>}. No match, or more than
 * one object of the same kind for the same id, is a typed {@link SidecarException} (no guess):
 * CONNECTION_FAILED, so the agent's bounded retries apply and then the UNREACHABLE verdict.
 */
public final class KubernetesEndpointResolver implements EndpointResolver {
    public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    public static final String COMPONENT_VALUE = "tpm-sidecar";
    public static final String HSM_LABEL = "teeledger.dev/hsm";
    public static final String HSM_ANNOTATION = "teeledger.dev/hsm-id";
    public static final String PORT_NAME = "http";
    public static final int PREFIX_CHARS = 40;

    private final KubernetesClient client;
    private final String namespace;
    private final String scheme;

    /**
     * @param client    a Fabric8 client (its own config: in-cluster service account or kubeconfig)
     * @param namespace where the sidecars' Services and Pods live
     * @param scheme    {@code http} or {@code https}
     */
    public KubernetesEndpointResolver(KubernetesClient client, String namespace, String scheme) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("scheme must be http or https: " + scheme);
        }
        this.scheme = scheme;
    }

    /** The labels a sidecar's Service or Pod must carry for {@code hsmId} (also for operators' tooling). */
    public static Map<String, String> selectorFor(byte[] hsmId) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(COMPONENT_LABEL, COMPONENT_VALUE);
        labels.put(HSM_LABEL, HexFormat.of().formatHex(hsmId).substring(0, PREFIX_CHARS));
        return labels;
    }

    @Override
    public URI resolve(HsmRecord testee) throws SidecarException {
        byte[] id = testee.getHsmId().toByteArray();
        if (id.length != 32) {
            throw new SidecarException(SidecarException.Kind.CONNECTION_FAILED, "HSM record without a 32-byte id");
        }
        String hex = HexFormat.of().formatHex(id);
        Map<String, String> selector = selectorFor(id);
        try {
            List<Service> services = exact(client.services().inNamespace(namespace).withLabels(selector).list().getItems(), hex);
            if (services.size() > 1) {
                throw ambiguous("Services", hex, services);
            }
            if (services.size() == 1) {
                Service s = services.get(0);
                int port = servicePort(s, hex);
                return URI.create(scheme + "://" + s.getMetadata().getName() + "." + namespace + ".svc:" + port);
            }
            List<Pod> pods = new ArrayList<>();
            for (Pod p : exact(client.pods().inNamespace(namespace).withLabels(selector).list().getItems(), hex)) {
                if (p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
                        && p.getStatus().getPodIP() != null && !p.getStatus().getPodIP().isBlank()) {
                    pods.add(p);
                }
            }
            if (pods.size() > 1) {
                throw ambiguous("Pods", hex, pods);
            }
            if (pods.isEmpty()) {
                throw new SidecarException(SidecarException.Kind.CONNECTION_FAILED,
                        "no tpm-sidecar Service or running Pod for HSM " + hex + " in namespace " + namespace);
            }
            Pod pod = pods.get(0);
            return URI.create(scheme + "://" + hostOf(pod.getStatus().getPodIP()) + ":" + podPort(pod, hex));
        } catch (KubernetesClientException e) {
            throw new SidecarException(SidecarException.Kind.CONNECTION_FAILED,
                    "Kubernetes API lookup of HSM " + hex + " failed: " + e.getMessage(), e.getCode(), e);
        }
    }

    private static <T extends HasMetadata> List<T> exact(List<T> items, String hex) {
        List<T> out = new ArrayList<>();
        for (T item : items) {
            Map<String, String> annotations = item.getMetadata().getAnnotations();
            if (annotations != null && hex.equalsIgnoreCase(annotations.get(HSM_ANNOTATION))) {
                out.add(item);
            }
        }
        return out;
    }

    private static SidecarException ambiguous(String kind, String hex, List<? extends HasMetadata> items) {
        List<String> names = items.stream().map(i -> i.getMetadata().getName()).sorted().toList();
        return new SidecarException(SidecarException.Kind.CONNECTION_FAILED,
                "more than one tpm-sidecar " + kind + " claim HSM " + hex + ": " + names);
    }

    private static int servicePort(Service s, String hex) throws SidecarException {
        List<ServicePort> ports = s.getSpec() == null || s.getSpec().getPorts() == null ? List.of() : s.getSpec().getPorts();
        for (ServicePort p : ports) {
            if (PORT_NAME.equals(p.getName()) && p.getPort() != null) {
                return p.getPort();
            }
        }
        if (ports.size() == 1 && ports.get(0).getPort() != null) {
            return ports.get(0).getPort();
        }
        throw new SidecarException(SidecarException.Kind.CONNECTION_FAILED,
                "Service " + s.getMetadata().getName() + " of HSM " + hex + " has no port named " + PORT_NAME);
    }

    private static int podPort(Pod pod, String hex) throws SidecarException {
        if (pod.getSpec() != null && pod.getSpec().getContainers() != null) {
            for (var c : pod.getSpec().getContainers()) {
                for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                    if (PORT_NAME.equals(p.getName()) && p.getContainerPort() != null) {
                        return p.getContainerPort();
                    }
                }
            }
        }
        throw new SidecarException(SidecarException.Kind.CONNECTION_FAILED,
                "Pod " + pod.getMetadata().getName() + " of HSM " + hex + " has no container port named " + PORT_NAME);
    }

    private static String hostOf(String ip) {
        return ip.contains(":") ? "[" + ip + "]" : ip;
    }
}
