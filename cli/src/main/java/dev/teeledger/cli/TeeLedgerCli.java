package dev.teeledger.cli;

import dev.teeledger.cli.gov.GovCommand;
import dev.teeledger.cli.hsm.HsmCommand;
import dev.teeledger.cli.k8s.K8sCommand;
import dev.teeledger.cli.keys.KeysCommand;
import dev.teeledger.cli.show.ShowCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code teeledger} command line. Subcommands only wire arguments to the libraries
 * ({@code protocol} builds and signs, {@code chain-client} talks to the chain and verifies);
 * every failure is a one-line message on stderr and a non-zero exit code, never a stack trace.
 */
@Command(name = "teeledger", mixinStandardHelpOptions = true, version = "teeledger 0.1.0",
        description = "Keys, governance proposals and (verified) reads for a TEE Ledger chain.",
        subcommands = {KeysCommand.class, GovCommand.class, HsmCommand.class, ShowCommand.class, K8sCommand.class})
public final class TeeLedgerCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a subcommand: keys, gov, hsm, show or k8s");
    }

    /** A command line wired the way {@link #main} runs it; tests call {@code execute} on it. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new TeeLedgerCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // One line per failure: parser messages (Jackson's among them) can span several.
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            commandLine.getErr().println("error: " + message);
            if (System.getenv("TEELEDGER_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return e instanceof CliException ce ? ce.exitCode() : 1;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
