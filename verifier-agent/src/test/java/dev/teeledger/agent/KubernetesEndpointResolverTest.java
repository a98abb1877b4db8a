package dev.teeledger.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.state.v1.HsmRecord;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.URI;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link KubernetesEndpointResolver} against the Fabric8 mock API server in CRUD mode: the label
 * contract (prefix label + exact id annotation) picks the right Service or running Pod, and every
 * way of not finding exactly one sidecar is a typed CONNECTION_FAILED.
 */
class KubernetesEndpointResolverTest {
    private static final String NS = "hsm-net";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private KubernetesEndpointResolver resolver;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        resolver = new KubernetesEndpointResolver(client, NS, "http");
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void resolvesTheServiceLabelledWithTheHsmId() throws Exception {
        byte[] a = id(1);
        byte[] b = id(2);
        service("sidecar-a", a, "http", 8090);
        service("sidecar-b", b, "http", 8091);
        assertThat(resolver.resolve(record(a))).isEqualTo(URI.create("http://sidecar-a." + NS + ".svc:8090"));
        assertThat(resolver.resolve(record(b))).isEqualTo(URI.create("http://sidecar-b." + NS + ".svc:8091"));
    }

    @Test
    void prefersTheServiceOverPodsAndUsesTheOnlyPortWhenUnnamed() throws Exception {
        byte[] a = id(3);
        service("sidecar-a", a, null, 9000);
        pod("sidecar-a-pod", a, "Running", "10.0.0.7", 8080);
        assertThat(resolver.resolve(record(a))).isEqualTo(URI.create("http://sidecar-a." + NS + ".svc:9000"));
    }

    @Test
    void fallsBackToTheRunningPodWhenNoServiceExists() throws Exception {
        byte[] a = id(4);
        pod("old", a, "Failed", "10.0.0.8", 8080);
        pod("new", a, "Running", "10.0.0.9", 8085);
        assertThat(resolver.resolve(record(a))).isEqualTo(URI.create("http://10.0.0.9:8085"));
    }

    @Test
    void ignoresObjectsWhoseAnnotationNamesAnotherHsmWithTheSamePrefix() throws Exception {
        byte[] a = id(5);
        byte[] twin = a.clone();
        twin[31] ^= 1; // same first 40 hex digits, other id
        service("impostor", twin, "http", 8090);
        assertThatThrownBy(() -> resolver.resolve(record(a))).isInstanceOfSatisfying(SidecarException.class,
                e -> {
                    assertThat(e.kind()).isEqualTo(SidecarException.Kind.CONNECTION_FAILED);
                    assertThat(e.getMessage()).contains("no tpm-sidecar Service or running Pod");
                });
    }

    @Test
    void refusesTwoServicesClaimingTheSameHsm() throws Exception {
        byte[] a = id(6);
        service("one", a, "http", 8090);
        service("two", a, "http", 8091);
        assertThatThrownBy(() -> resolver.resolve(record(a))).isInstanceOfSatisfying(SidecarException.class,
                e -> assertThat(e.getMessage()).contains("more than one").contains("[one, two]"));
    }

    @Test
    void refusesAServiceWithoutAUsablePort() throws Exception {
        byte[] a = id(7);
        client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("noport")
                .withLabels(KubernetesEndpointResolver.selectorFor(a)).withAnnotations(annotation(a)).endMetadata()
                .withNewSpec().addNewPort().withName("grpc").withPort(1).endPort().addNewPort().withName("x").withPort(2).endPort()
                .endSpec().build()).create();
        assertThatThrownBy(() -> resolver.resolve(record(a))).isInstanceOfSatisfying(SidecarException.class,
                e -> assertThat(e.getMessage()).contains("no port named http"));
    }

    @Test
    void anUnreachableApiServerIsATypedRetryableFailure() {
        byte[] a = id(8);
        KubernetesClient dead = server.createClient();
        server.destroy();
        try {
            assertThatThrownBy(() -> new KubernetesEndpointResolver(dead, NS, "http").resolve(record(a)))
                    .isInstanceOfSatisfying(SidecarException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SidecarException.Kind.CONNECTION_FAILED);
                        assertThat(e.retryable()).isTrue();
                    });
        } finally {
            dead.close();
        }
    }

    @Test
    void selectorLabelValuesFitKubernetesLimits() {
        Map<String, String> labels = KubernetesEndpointResolver.selectorFor(id(9));
        assertThat(labels.get(KubernetesEndpointResolver.HSM_LABEL)).hasSize(40).matches("[0-9a-f]+");
        assertThat(labels).containsEntry("app.kubernetes.io/component", "tpm-sidecar");
    }

    private void service(String name, byte[] hsm, String portName, int port) {
        Service s = new ServiceBuilder().withNewMetadata().withName(name).withLabels(KubernetesEndpointResolver.selectorFor(hsm))
                .withAnnotations(annotation(hsm)).endMetadata()
                .withNewSpec().addNewPort().withName(portName).withPort(port).endPort().endSpec().build();
        client.services().inNamespace(NS).resource(s).create();
    }

    private void pod(String name, byte[] hsm, String phase, String ip, int port) {
        Pod p = new PodBuilder().withNewMetadata().withName(name).withLabels(KubernetesEndpointResolver.selectorFor(hsm))
                .withAnnotations(annotation(hsm)).endMetadata()
                .withNewSpec().addNewContainer().withName("tpm-sidecar").addNewPort().withName("http").withContainerPort(port)
                .endPort().endContainer().endSpec()
                .withNewStatus().withPhase(phase).withPodIP(ip).endStatus().build();
        client.pods().inNamespace(NS).resource(p).create();
    }

    private static Map<String, String> annotation(byte[] hsm) {
        Map<String, String> m = new TreeMap<>();
        m.put(KubernetesEndpointResolver.HSM_ANNOTATION, HexFormat.of().formatHex(hsm));
        return m;
    }

    private static HsmRecord record(byte[] id) {
        return HsmRecord.newBuilder().setHsmId(ByteString.copyFrom(id)).setSidecarEndpoint("http://advertised.invalid:1").build();
    }

    private static byte[] id(int seed) {
        byte[] id = new byte[32];
        new java.util.Random(seed).nextBytes(id);
        return id;
    }
}
