package dev.teeledger.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventRoutingTest {
    private final EventRouting routing = new EventRouting(IndexerTopics.withPrefix("t."));

    /** Every event type the app documents (api, registry, credits, attestation docs). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gov.param_changed | name=tx.max_signers,old=8,new=10 | t.governance | param:tx.max_signers",
        "gov.keys_rotated | keys=a,threshold=1 | t.governance | gov",
        "credit.balance_changed | hsm=h1,delta=5,reason=mint,height=3 | t.credit | hsm:h1",
        "credit.normalized | old_total=1,new_total=1,factor=1,height=3 | t.credit | credit:supply",
        "credit.reporter_authorized | reporter=r1,key_type=ed25519 | t.credit | reporter:r1",
        "manufacturer.added | manufacturer_id=m1,name=A,subject=CN | t.registry | manufacturer:m1",
        "manufacturer.revoked | manufacturer_id=m1,reason=x | t.registry | manufacturer:m1",
        "firmware.approved | sha256=ab,component=c,version=1 | t.registry | firmware:ab",
        "firmware.expired | sha256=ab,height=3 | t.registry | firmware:ab",
        "hsm.joined | hsm_id=h1,manufacturer_id=m1,state=PENDING | t.registry | hsm:h1",
        "hsm.revoked | hsm_id=h1,manufacturer_id=m1,reason=x | t.registry | hsm:h1",
        "hsm.state_changed | hsm_id=h1,from=A,to=B | t.registry | hsm:h1",
        "hsm.firmware_expiry_queued | sha256=ab,hsms=2,height=3 | t.registry | firmware:ab",
        "attestation.round_opened | round=17,testee=h1,trigger=periodic | t.attestation | round:17",
        "attestation.vote | round=17,verifier=h2,verdict=PASS | t.attestation | round:17",
        "attestation.round_closed | round=17,testee=h1,outcome=PASS | t.attestation | round:17",
        "attestation.round_requested | hsm_id=h1,reason=x | t.attestation | hsm:h1",
        "attestation.absence_charged | hsm_id=h2,owed=1 | t.attestation | hsm:h2",
        "attestation.mint_skipped | hsm_id=h3,amount=1 | t.attestation | hsm:h3",
        "somethingnew | a=1 | t.other | type:somethingnew",
        "future.event | hsm_id=h4 | t.other | hsm:h4",
    })
    void routesEveryDocumentedTypeToItsTopicAndEntity(String type, String attrs, String topic, String key) {
        List<ChainEvent.Attribute> list = new ArrayList<>();
        for (String kv : attrs.split(",")) {
            String[] p = kv.split("=", 2);
            list.add(new ChainEvent.Attribute(p[0], p[1]));
        }
        assertThat(routing.topic(type)).isEqualTo(topic);
        assertThat(EventRouting.key(type, list)).isEqualTo(key);
    }
}
