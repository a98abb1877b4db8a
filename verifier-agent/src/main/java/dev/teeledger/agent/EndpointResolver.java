package dev.teeledger.agent;

import dev.teeledger.protocol.state.v1.HsmRecord;
import java.net.URI;

/**
 * Where the testee's sidecar answers. The default, {@link #fromRecord()}, uses the endpoint the
 * HSM advertised at join ({@code HsmRecord.sidecar_endpoint}); a Kubernetes resolver (the node's
 * agent Service found through the API server) can replace it without touching the agent.
 */
@FunctionalInterface
public interface EndpointResolver {

    /** The base URL of the testee's sidecar REST mirror; a typed failure when there is none. */
    URI resolve(HsmRecord testee) throws SidecarException;

    /** The advertised {@code sidecar_endpoint}, which must be an absolute http(s) URL. */
    static EndpointResolver fromRecord() {
        return testee -> {
            String endpoint = testee.getSidecarEndpoint();
            try {
                URI uri = URI.create(endpoint);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
                return uri;
            } catch (IllegalArgumentException e) {
                throw new SidecarException(SidecarException.Kind.CONNECTION_FAILED,
                        "HSM advertises no usable sidecar endpoint: '" + endpoint + "'", 0, e);
            }
        };
    }
}
