package dev.teeledger.cli.show;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.util.JsonFormat;
import dev.teeledger.cli.ChainOptions;
import dev.teeledger.cli.CliException;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.CreditAccount;
import dev.teeledger.protocol.state.v1.CreditIndex;
import dev.teeledger.protocol.state.v1.CreditSupply;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ParamRecord;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code teeledger show hsm|balance|round|param|manufacturer|supply}: one state item as JSON (bytes
 * fields in base64, as protobuf's JSON mapping writes them). With {@code --verified} the value
 * comes with a Merkle proof checked against a header whose validator signatures were checked
 * against the genesis validator set; an absent item is then proven absent.
 */
@Command(name = "show", description = "Read one state item (add --verified to check it with the light client).",
        subcommands = {ShowCommand.Hsm.class, ShowCommand.Balance.class, ShowCommand.Round.class,
                ShowCommand.Param.class, ShowCommand.Manufacturer.class, ShowCommand.Supply.class})
public final class ShowCommand {

    abstract static class ShowBase implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        ChainOptions chain;

        <T extends Message> T read(String path, String storeKey, Parser<T> parser, String what) {
            byte[] raw = chain.read(path, storeKey)
                    .orElseThrow(() -> new CliException(CliException.NOT_FOUND, "no " + what + " on chain"));
            try {
                return parser.parseFrom(raw);
            } catch (InvalidProtocolBufferException e) {
                throw new CliException(CliException.CHAIN, "the chain's " + what + " does not decode", e);
            }
        }

        void print(Message m) {
            try {
                spec.commandLine().getOut().println(JsonFormat.printer().print(m));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Command(name = "hsm", description = "An HSM record: keys, manufacturer, lifecycle state.")
    static final class Hsm extends ShowBase {
        @Parameters(index = "0", description = "HSM id, hex")
        String id;

        @Override
        public void run() {
            String hex = hex32(id);
            print(read("/hsm/" + hex, "hsm/rec/" + hex, HsmRecord.parser(), "HSM " + hex));
        }
    }

    @Command(name = "balance", description = "An HSM's credit balance (shares × index).")
    static final class Balance extends ShowBase {
        @Parameters(index = "0", description = "HSM id, hex")
        String id;

        @Override
        public void run() {
            String hex = hex32(id);
            BigInteger shares = chain.read("/credit/balance/" + hex, "credit/acct/" + hex)
                    .map(raw -> {
                        try {
                            return new BigInteger(1, CreditAccount.parseFrom(raw).getShares().toByteArray());
                        } catch (InvalidProtocolBufferException e) {
                            throw new CliException(CliException.CHAIN, "the chain's credit account does not decode", e);
                        }
                    }).orElse(BigInteger.ZERO);
            CreditIndex index = read("/credit/index", "credit/index", CreditIndex.parser(), "credit index");
            BigInteger balance = shares.multiply(BigInteger.valueOf(index.getMantissa())).shiftRight(index.getExponent());
            spec.commandLine().getOut().printf(Locale.ROOT, "{\"hsm_id\": \"%s\", \"shares\": \"%s\", \"balance\": %s}%n", hex, shares, balance);
        }
    }

    @Command(name = "round", description = "An attestation round: testee, seed, votes, outcome.")
    static final class Round extends ShowBase {
        @Parameters(index = "0", description = "round id")
        long id;

        @Override
        public void run() {
            if (id < 1) {
                throw new CliException(CliException.BAD_INPUT, "round ids start at 1");
            }
            print(read("/attestation/round/" + id, String.format("attestation/round/%020d", id), AttestationRound.parser(), "round " + id));
        }
    }

    @Command(name = "param", description = "A governance parameter as stored (defaults are not stored until changed).")
    static final class Param extends ShowBase {
        @Parameters(index = "0", description = "parameter name, e.g. credit.cap")
        String name;

        @Override
        public void run() {
            print(read("/gov/param/" + name, "gov/param/" + name, ParamRecord.parser(), "stored value for " + name));
        }
    }

    @Command(name = "manufacturer", description = "A manufacturer record.")
    static final class Manufacturer extends ShowBase {
        @Parameters(index = "0", description = "manufacturer id, hex")
        String id;

        @Override
        public void run() {
            String hex = hex32(id);
            print(read("/manufacturer/" + hex, "mfr/" + hex, ManufacturerRecord.parser(), "manufacturer " + hex));
        }
    }

    @Command(name = "supply", description = "The credit supply: total shares, total credit, funded accounts.")
    static final class Supply extends ShowBase {
        @Override
        public void run() {
            CreditSupply supply = read("/credit/supply", "credit/supply", CreditSupply.parser(), "credit supply");
            spec.commandLine().getOut().printf(Locale.ROOT, "{\"total_shares\": \"%s\", \"total\": %s, \"accounts\": %s}%n",
                    new BigInteger(1, supply.getTotalShares().toByteArray()), Long.toUnsignedString(supply.getTotal()),
                    Long.toUnsignedString(supply.getAccounts()));
        }
    }

    static String hex32(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (HexFormat.of().parseHex(t).length == 32) {
                return t;
            }
        } catch (IllegalArgumentException e) {
            // fall through to the message below
        }
        throw new CliException(CliException.BAD_INPUT, "an id is 64 hex characters, got '" + text + "'");
    }
}
