/*
 * Copyright 2026 The Gatehouse Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.gatehouse.jdbc.keys;

import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.internal.Jwk;
import dev.gatehouse.auth.store.StoreUnavailableException;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The command-line tool for managed signing keys ({@link ManagedKeySource}), for operators:
 *
 * <pre>
 * java -cp '&lt;gatehouse-core, its dependencies and the JDBC driver&gt;' dev.gatehouse.jdbc.keys.KeyAdmin list
 *     ... rotate [--now]
 *     ... revoke &lt;kid&gt;
 *     ... authenticate [--confirm] [&lt;kid&gt;...]
 *     ... roles list &lt;email or id&gt;
 *     ... roles grant|revoke &lt;email or id&gt; &lt;role&gt;
 * </pre>
 *
 * The database comes from {@code --jdbc-url}, {@code --jdbc-user}, {@code --jdbc-password} or the
 * environment variables {@code GATEHOUSE_JDBC_URL}, {@code GATEHOUSE_JDBC_USER},
 * {@code GATEHOUSE_JDBC_PASSWORD}; the key-encryption key (needed by {@code rotate} and
 * {@code revoke}, which may create a key, and by {@code authenticate}; {@code list} uses it to show
 * which rows the nodes refuse) from {@code GATEHOUSE_KEY_ENCRYPTION_KEY} or
 * {@code --key-encryption-key}. Prefer the environment for secrets: command lines are visible to
 * other users of the machine. Nothing the tool prints contains key material.
 *
 * <p>Each command is one entry of {@link #COMMANDS}: its name, how many arguments and which flags
 * it takes, and what it does; a new command is one more entry.
 *
 * <p>Exit status: 0 done, 1 the operation failed (database unreachable, unknown key, a row that
 * cannot be authenticated), 2 wrong usage or settings. See {@code docs/operations.md}.
 */
public final class KeyAdmin {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            Usage: KeyAdmin <command> [options]
            Commands:
              list              the signing keys and what each is doing now (with the key-encryption key:
                                also the rows the nodes refuse, and why)
              rotate            create the next key: published now, signs after the publish lead
              rotate --now      the next key signs at once (verifiers that cached the JWK Set refuse
                                its tokens until they fetch it again; other nodes switch at their next refresh)
              revoke <kid>      the key stops signing and verifying now; its tokens are refused
              authenticate [<kid>...]
                                the rows the nodes refuse (not authenticated under the key-encryption key),
                                with the fingerprint of each public key; changes nothing
              authenticate --confirm [<kid>...]
                                authenticate the rows that have no row MAC (all of them, or those named) after
                                you have checked that they are your keys: writes their MAC and encrypts a
                                private part stored unencrypted. Rows whose MAC is wrong are never authenticated
            Options (each also read from the environment variable shown):
              --jdbc-url <url>                 GATEHOUSE_JDBC_URL (required)
              --jdbc-user <user>               GATEHOUSE_JDBC_USER
              --jdbc-password <password>       GATEHOUSE_JDBC_PASSWORD
              --key-encryption-key <base64>    GATEHOUSE_KEY_ENCRYPTION_KEY (rotate, revoke, authenticate; list)
              --allow-unencrypted              the application stores keys unencrypted
              --algorithm <RS256|ES256|HS256>  GATEHOUSE_SIGNING_ALG (default: the active key's)
              --rotation-period <ISO-8601>     GATEHOUSE_KEY_ROTATION (default P30D)
              --publish-lead <ISO-8601>        default PT1H
              --token-lifetime <ISO-8601>      default GATEHOUSE_ACCESS_TOKEN_TTL + PT30S, or PT5M30S""";

    /** What a command does, once its options are parsed. */
    @FunctionalInterface
    private interface Action {
        int run(DataSource dataSource, Options options, PrintStream out, Clock clock);
    }

    /**
     * One command: its name, the fewest and most arguments after it ({@code Integer.MAX_VALUE}:
     * any number), the flags it accepts, and what it does.
     */
    private record Command(String name, int minArguments, int maxArguments, Set<String> flags, Action action) {
    }

    /** Every command, by name. */
    private static final Map<String, Command> COMMANDS = commands(
            new Command("list", 0, 0, Set.of(), KeyAdmin::list),
            new Command("rotate", 0, 0, Set.of("--now"), KeyAdmin::rotate),
            new Command("revoke", 1, 1, Set.of(), KeyAdmin::revoke),
            new Command("authenticate", 0, Integer.MAX_VALUE, Set.of("--confirm"), KeyAdmin::authenticate),
            new Command("roles", 2, 3, Set.of(), (dataSource, options, out, clock)
                    -> RolesCommand.run(dataSource, options.arguments, out, clock)));

    private KeyAdmin() {
    }

    private static Map<String, Command> commands(Command... commands) {
        Map<String, Command> byName = new LinkedHashMap<>();
        for (Command c : commands) {
            byName.put(c.name(), c);
        }
        return Collections.unmodifiableMap(byName);
    }

    /** Runs the tool and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err, Clock.systemUTC()));
    }

    /** Runs the tool; the exit status. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        }
        if (options.help) {
            out.println(USAGE_TEXT);
            return OK;
        }
        DataSource dataSource = new DriverManagerDataSource(options.url, options.user, options.password);
        try {
            return options.command.action().run(dataSource, options, out, clock);
        } catch (ConfigurationException e) {
            err.println("error: " + options.describe(e));
            return USAGE;
        } catch (StoreUnavailableException e) {
            err.println("error: " + e.getMessage() + sqlSummary(e));
            return FAILED;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return FAILED;
        }
    }

    private static int list(DataSource dataSource, Options options, PrintStream out, Clock clock) {
        Instant now = clock.instant();
        List<KeyRow> rows = new KeyTable(dataSource, ManagedKeySource.DEFAULT_QUERY_TIMEOUT).load();
        if (rows.isEmpty()) {
            out.println("No signing keys yet: the first node to start creates one.");
            return OK;
        }
        KeyRowCheck check = options.keyEncryptionKey == null ? null : options.check();
        Checked checked = check == null ? null : Checked.of(rows, check, options);
        KeyTimeline timeline = checked != null ? checked.timeline()
                : new KeyTimeline(rows, options.tokenLifetime, options.publishLead);
        List<KeyStatus> statuses = new ArrayList<>();
        for (KeyRow row : timeline.rows()) {
            statuses.add(timeline.status(row, now));
        }
        if (checked != null) {
            checked.refused().forEach(r -> statuses.add(KeyTimeline.refusedStatus(r.row())));
        }
        statuses.sort(Comparator.comparingInt(KeyStatus::generation));
        out.println("Signing keys at " + now.truncatedTo(ChronoUnit.SECONDS) + ":");
        String format = "%4s  %-43s  %-5s  %-8s  %-20s  %-20s  %-20s  %s%n";
        out.printf(Locale.ROOT, format, "GEN", "KID", "ALG", "STATE", "ACTIVATES", "RETIRED", "REVOKED", "PRIVATE KEY");
        for (KeyStatus s : statuses) {
            out.printf(Locale.ROOT, format, s.generation(), KeyRowCheck.printable(s.kid()), KeyRowCheck.printable(s.algorithm()),
                    lower(s.state()), time(s.activatesAt()),
                    time(s.retiredAt()), time(s.revokedAt()), lower(s.storage()));
        }
        if (checked == null) {
            if (!options.allowUnencrypted) {
                out.println("Rows not checked: give the key-encryption key (GATEHOUSE_KEY_ENCRYPTION_KEY) to see which"
                        + " ones the nodes refuse.");
            }
        } else if (!checked.refused().isEmpty()) {
            out.println();
            out.println("Refused by the nodes (neither published, nor verifying, nor signing):");
            for (Refused r : checked.refused()) {
                out.println("  " + r.refusal().message());
            }
            out.println("See 'KeyAdmin authenticate' (docs/operations.md) before doing anything about them.");
        }
        return OK;
    }

    private static int rotate(DataSource dataSource, Options options, PrintStream out, Clock clock) {
        try (ManagedKeySource source = open(dataSource, options, clock)) {
            KeyStatus next = source.rotateNow(options.flags.contains("--now"));
            if (next.state() == KeyStatus.State.ACTIVE) {
                out.println("Key " + next.kid() + " (generation " + next.generation() + ", " + next.algorithm()
                        + ") signs from now. Other nodes switch at their next refresh.");
            } else {
                out.println("Key " + next.kid() + " (generation " + next.generation() + ", " + next.algorithm()
                        + ") is published now and signs from " + time(next.activatesAt()) + ".");
            }
            return OK;
        }
    }

    private static int revoke(DataSource dataSource, Options options, PrintStream out, Clock clock) {
        String kid = options.arguments.get(0);
        try (ManagedKeySource source = open(dataSource, options, clock)) {
            boolean revoked = source.revoke(kid);
            out.println(revoked ? "Key " + kid + " is revoked: tokens it signed are refused (by other nodes"
                    + " within their refresh interval)." : "Key " + kid + " was already revoked.");
            for (KeyStatus s : source.keys()) {
                if (s.state() == KeyStatus.State.ACTIVE) {
                    out.println("Key " + s.kid() + " (generation " + s.generation() + ") signs now.");
                }
            }
            return OK;
        }
    }

    /**
     * Lists the rows the nodes refuse, with what is wrong and the fingerprint of each public key;
     * with {@code --confirm}, authenticates the rows that have no MAC at all (every one, or those
     * named): their private part is checked to belong to their public key, encrypted if it was
     * stored unencrypted, and the row MAC written, provided the row is still what was checked.
     * A row whose MAC is present but wrong was altered (or written under another key-encryption
     * key) and is never authenticated here.
     */
    private static int authenticate(DataSource dataSource, Options options, PrintStream out, Clock clock) {
        if (options.keyEncryptionKey == null) {
            throw new ConfigurationException("keyEncryptionKey", "is required: rows are authenticated under it");
        }
        KeyRowCheck check = options.check();
        KeyTable table = new KeyTable(dataSource, ManagedKeySource.DEFAULT_QUERY_TIMEOUT);
        List<KeyRow> rows = table.load();
        Checked checked = Checked.of(rows, check, options);
        Set<String> named = new LinkedHashSet<>(options.arguments);
        for (String kid : named) {
            if (rows.stream().noneMatch(r -> r.kid().equals(kid))) {
                throw new IllegalArgumentException("No signing key has the id '" + kid + "'");
            }
        }
        List<Refused> chosen = new ArrayList<>();
        for (Refused r : checked.refused()) {
            if (named.isEmpty() || named.contains(r.row().kid())) {
                chosen.add(r);
            }
        }
        if (chosen.isEmpty()) {
            out.println(named.isEmpty() ? "Every key row is authenticated under this key-encryption key: nothing to do."
                    : "The keys named are authenticated already: nothing to do.");
            return OK;
        }
        if (rows.stream().noneMatch(check::macVerifies) && rows.stream().anyMatch(r -> r.mac() != null)) {
            out.println("Note: not one row's MAC verifies under this key-encryption key. If the rows have MACs, it is"
                    + " probably not the key they were stored with.");
        }
        out.println(options.flags.contains("--confirm") ? "Authenticating:" : "Rows the nodes refuse:");
        String format = "%4s  %-43s  %-5s  %-43s  %s%n";
        out.printf(Locale.ROOT, format, "GEN", "KID", "ALG", "PUBLIC KEY (RFC 7638 SHA-256 THUMBPRINT)", "PROBLEM");
        for (Refused r : chosen) {
            KeyRow row = r.row();
            out.printf(Locale.ROOT, format, row.generation(), KeyRowCheck.printable(row.kid()), KeyRowCheck.printable(row.alg()),
                    fingerprint(row), describe(r));
        }
        if (!options.flags.contains("--confirm")) {
            out.println();
            out.println("Only keys your own nodes stored may be authenticated. Compare each fingerprint with a JWK Set");
            out.println("you saved, or a kid with the tokens you issued (Gatehouse's own RS256 and ES256 keys have their");
            out.println("fingerprint as kid). Then: KeyAdmin authenticate --confirm [<kid>...]");
            out.println("Rows with a wrong MAC, or that cannot be read, are not authenticated: revoke them.");
            return OK;
        }
        int failed = 0;
        for (Refused r : chosen) {
            KeyRow row = r.row();
            if (row.mac() != null) {
                out.println("Key " + KeyRowCheck.printable(row.kid()) + " NOT authenticated: it has a row MAC that does not"
                        + " verify (altered, or stored under another key-encryption key). Revoke it.");
                failed++;
                continue;
            }
            String problem = authenticateRow(table, check, row);
            if (problem == null) {
                out.println("Key " + KeyRowCheck.printable(row.kid()) + " is authenticated" + (row.privateKey() != null
                        && row.privateKey().startsWith(KeyEncryption.PLAIN_PREFIX) ? ", its private key encrypted" : "")
                        + ". Nodes use it from their next refresh.");
            } else {
                out.println("Key " + KeyRowCheck.printable(row.kid()) + " NOT authenticated: " + problem);
                failed++;
            }
        }
        return failed == 0 ? OK : FAILED;
    }

    /** Authenticates one row that has no MAC; {@code null} when done, else what stopped it. */
    private static String authenticateRow(KeyTable table, KeyRowCheck check, KeyRow row) {
        try {
            KeyRowCheck.Keys keys = check.keys(row, !row.revoked());
            String stored = row.revoked() || row.privateKey() == null ? row.privateKey()
                    : row.privateKey().startsWith(KeyEncryption.PLAIN_PREFIX) ? check.encryption().seal(keys.privateKey())
                    : row.privateKey();
            KeyRow authenticated = row.withPrivateKey(stored);
            String mac = check.macOf(authenticated);
            if (!table.authenticate(row, stored, mac)) {
                return "the row changed while it was being authenticated; run the command again";
            }
            return null;
        } catch (KeyRowCheck.RefusedKeyException e) {
            return e.getMessage() + ". Revoke it.";
        }
    }

    private static String describe(Refused r) {
        return switch (r.refusal().problem()) {
            case NO_MAC -> r.row().privateKey() != null && r.row().privateKey().startsWith(KeyEncryption.PLAIN_PREFIX)
                    ? "no row MAC; private key unencrypted" : "no row MAC";
            case BAD_MAC -> "row MAC does not verify (altered, or another key-encryption key)";
            default -> r.refusal().problem().reason();
        };
    }

    /** The RFC 7638 thumbprint of a row's public key, or what stands in for it. */
    private static String fingerprint(KeyRow row) {
        if (SigningAlgorithm.HS256.name().equals(row.alg())) {
            return "(shared secret: none)";
        }
        try {
            PublicKey key = KeyRowCheck.of(null).keys(row.withPrivateKey(null), false).publicKey().publicKey();
            if (key instanceof RSAPublicKey rsa) {
                return Jwk.thumbprint(rsa);
            }
            if (key instanceof ECPublicKey ec) {
                return Jwk.thumbprint(ec);
            }
        } catch (KeyRowCheck.RefusedKeyException e) {
            // falls through
        }
        return "(invalid public key)";
    }

    /** A row the nodes with this key-encryption key refuse. */
    private record Refused(KeyRow row, KeyRowCheck.Refusal refusal) {
    }

    /**
     * The table as nodes with this key-encryption key see it: the timeline of the rows they trust,
     * and the rows they refuse (for every row, its identity and its stored key material are checked).
     */
    private record Checked(KeyTimeline timeline, List<Refused> refused) {
        static Checked of(List<KeyRow> rows, KeyRowCheck check, Options options) {
            List<KeyRow> trusted = new ArrayList<>();
            List<Refused> refused = new ArrayList<>();
            int reserved = 0;
            for (KeyRow row : rows) {
                reserved = Math.max(reserved, row.generation());
                KeyRowCheck.Refusal refusal = check.authenticity(row);
                if (refusal == null && !row.revoked()) {
                    try {
                        check.keys(row, true);
                    } catch (KeyRowCheck.RefusedKeyException e) {
                        refusal = e.refusal();
                    }
                }
                if (refusal == null) {
                    trusted.add(row);
                } else {
                    refused.add(new Refused(row, refusal));
                }
            }
            return new Checked(new KeyTimeline(trusted, options.tokenLifetime, options.publishLead, reserved), refused);
        }
    }

    private static ManagedKeySource open(DataSource dataSource, Options options, Clock clock) {
        SigningAlgorithm algorithm = options.algorithm;
        if (algorithm == null) {
            // the active key as the nodes see it: a row they refuse does not choose the algorithm
            KeyRowCheck check = options.keyEncryptionKey == null ? KeyRowCheck.of(null) : options.check();
            List<KeyRow> trusted = new ArrayList<>();
            for (KeyRow row : new KeyTable(dataSource, ManagedKeySource.DEFAULT_QUERY_TIMEOUT).load()) {
                if (check.authenticity(row) == null) {
                    trusted.add(row);
                }
            }
            KeyRow active = new KeyTimeline(trusted, options.tokenLifetime, options.publishLead).active(clock.instant());
            algorithm = active == null ? SigningAlgorithm.RS256 : SigningAlgorithm.parse(active.alg());
        }
        ManagedKeySource.Builder builder = ManagedKeySource.builder(dataSource)
                .algorithm(algorithm)
                .rotationPeriod(options.rotationPeriod)
                .publishLead(options.publishLead)
                .tokenLifetime(options.tokenLifetime)
                .refreshInterval(Duration.ZERO)
                .housekeeping(false)
                .clock(clock)
                .allowUnencryptedPrivateKeys(options.allowUnencrypted);
        if (options.keyEncryptionKey != null) {
            builder.keyEncryptionKey(options.keyEncryptionKey);
        }
        // housekeeping(false) also lets the tool open a table on which a node would not start
        // (no trusted key signs), so that an operator can revoke or rotate there
        ManagedKeySource source = builder.build();
        try {
            source.start();
            // start() does not fail on an unreachable database (a node keeps retrying); the tool should
            source.keys();
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        return source;
    }

    private static String time(Instant instant) {
        return instant == null ? "-" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /**
     * What went wrong in the database, from the SQLState alone: driver messages can quote the
     * values of a statement, and this tool never prints anything that might be key material.
     */
    private static String sqlSummary(Throwable e) {
        for (Throwable x = e; x != null; x = x.getCause() == x ? null : x.getCause()) {
            if (x instanceof SQLException s) {
                String state = s.getSQLState();
                String hint;
                if (state == null) {
                    hint = "see the database's log";
                } else if (state.startsWith("08")) {
                    hint = "cannot connect: check the JDBC URL and that the database is up";
                } else if (state.startsWith("28")) {
                    hint = "the database refused the user or password";
                } else if (KeyTable.isUndefinedColumn(x)) {
                    hint = KeyTable.TABLE + " has no column row_mac: add it as docs/operations.md ('Upgrading') says";
                } else if (state.equals("42P01") || state.equals("42S02") || state.equals("42102") || state.equals("42000")) {
                    hint = "is there a table " + KeyTable.TABLE + "? The application creates it at start (JdbcSchema)";
                } else {
                    hint = "see the database's log";
                }
                return " (SQLState " + state + ": " + hint + ")";
            }
        }
        return "";
    }

    /** The parsed command line, with the environment below it. */
    private static final class Options {
        Command command;
        /** What follows the command name: a kid, or kids. */
        List<String> arguments = List.of();
        /** The command's flags that were given ({@code --now}, {@code --confirm}). */
        Set<String> flags = new HashSet<>();
        boolean help;
        String url;
        String user;
        String password;
        String keyEncryptionKey;
        boolean keyEncryptionKeyFromOption;
        boolean allowUnencrypted;
        SigningAlgorithm algorithm;
        Duration rotationPeriod = ManagedKeySource.DEFAULT_ROTATION_PERIOD;
        Duration publishLead = ManagedKeySource.DEFAULT_PUBLISH_LEAD;
        Duration tokenLifetime = ManagedKeySource.DEFAULT_TOKEN_LIFETIME;

        /** Flags that belong to one command or another; each command says which it takes. */
        private static final Set<String> COMMAND_FLAGS = Set.of("--now", "--confirm");

        static Options parse(String[] args, Map<String, String> env) {
            Options o = new Options();
            Map<String, String> values = new HashMap<>();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--help", "-h" -> {
                        o.help = true;
                        return o;
                    }
                    case "--allow-unencrypted" -> o.allowUnencrypted = true;
                    case "--jdbc-url", "--jdbc-user", "--jdbc-password", "--key-encryption-key", "--algorithm",
                         "--rotation-period", "--publish-lead", "--token-lifetime" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        values.put(arg, args[++i]);
                    }
                    default -> {
                        if (COMMAND_FLAGS.contains(arg)) {
                            o.flags.add(arg);
                        } else if (arg.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + arg);
                        } else {
                            positional.add(arg);
                        }
                    }
                }
            }
            if (positional.isEmpty()) {
                throw new IllegalArgumentException("no command given");
            }
            o.command = COMMANDS.get(positional.get(0));
            if (o.command == null) {
                throw new IllegalArgumentException("unknown command '" + positional.get(0) + "'");
            }
            o.arguments = List.copyOf(positional.subList(1, positional.size()));
            Command c = o.command;
            if (o.arguments.size() < c.minArguments() || o.arguments.size() > c.maxArguments()) {
                throw new IllegalArgumentException(c.maxArguments() == 0 ? c.name() + " takes no arguments"
                        : c.minArguments() == c.maxArguments() ? c.name() + " needs exactly " + c.minArguments()
                        + " key id" + (c.minArguments() == 1 ? "" : "s") : c.name() + ": wrong number of arguments");
            }
            for (String flag : o.flags) {
                if (!c.flags().contains(flag)) {
                    throw new IllegalArgumentException(flag + " is not an option of " + c.name());
                }
            }
            o.url = value(values, env, "--jdbc-url", "GATEHOUSE_JDBC_URL");
            if (o.url == null) {
                throw new IllegalArgumentException("no database: set GATEHOUSE_JDBC_URL or --jdbc-url");
            }
            o.user = value(values, env, "--jdbc-user", "GATEHOUSE_JDBC_USER");
            o.password = value(values, env, "--jdbc-password", "GATEHOUSE_JDBC_PASSWORD");
            o.keyEncryptionKeyFromOption = values.containsKey("--key-encryption-key");
            o.keyEncryptionKey = value(values, env, "--key-encryption-key", "GATEHOUSE_KEY_ENCRYPTION_KEY");
            String alg = value(values, env, "--algorithm", "GATEHOUSE_SIGNING_ALG");
            if (alg != null) {
                o.algorithm = parseAlgorithm(values.containsKey("--algorithm") ? "--algorithm" : "GATEHOUSE_SIGNING_ALG", alg);
            }
            String rotation = value(values, env, "--rotation-period", "GATEHOUSE_KEY_ROTATION");
            if (rotation != null) {
                o.rotationPeriod = duration(values.containsKey("--rotation-period") ? "--rotation-period" : "GATEHOUSE_KEY_ROTATION", rotation);
            }
            String lead = values.get("--publish-lead");
            if (lead != null) {
                o.publishLead = duration("--publish-lead", lead);
            }
            String lifetime = values.get("--token-lifetime");
            String ttl = env.get("GATEHOUSE_ACCESS_TOKEN_TTL");
            if (lifetime != null) {
                o.tokenLifetime = duration("--token-lifetime", lifetime);
            } else if (ttl != null && !ttl.isBlank()) {
                o.tokenLifetime = duration("GATEHOUSE_ACCESS_TOKEN_TTL", ttl).plus(TokenSettings.DEFAULT_CLOCK_LEEWAY);
            }
            return o;
        }

        /** How nodes with the given key-encryption key judge rows. */
        KeyRowCheck check() {
            byte[] kek = KeyEncryption.decodeKek("keyEncryptionKey", keyEncryptionKey);
            try {
                return KeyRowCheck.of(kek);
            } finally {
                Arrays.fill(kek, (byte) 0);
            }
        }

        private static String value(Map<String, String> values, Map<String, String> env, String option, String variable) {
            String v = values.containsKey(option) ? values.get(option) : env.get(variable);
            return v == null || v.isBlank() ? null : v.strip();
        }

        private static SigningAlgorithm parseAlgorithm(String name, String value) {
            try {
                return SigningAlgorithm.parse(value);
            } catch (ConfigurationException e) {
                throw new IllegalArgumentException(e.forSetting(name).getMessage());
            }
        }

        private static Duration duration(String name, String value) {
            try {
                return Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(name + ": '" + value + "' is not an ISO-8601 duration such as P30D");
            }
        }

        /** A configuration error, with the builder's setting names translated to this tool's. */
        String describe(ConfigurationException e) {
            return switch (e.setting()) {
                case "keyEncryptionKey" -> (keyEncryptionKeyFromOption ? "--key-encryption-key" : "GATEHOUSE_KEY_ENCRYPTION_KEY")
                        + ": " + e.problem().replace("allowUnencryptedPrivateKeys", "--allow-unencrypted");
                case "allowUnencryptedPrivateKeys" -> "--allow-unencrypted cannot be combined with a key-encryption key";
                case "rotationPeriod" -> "--rotation-period / GATEHOUSE_KEY_ROTATION: " + e.problem();
                case "publishLead" -> "--publish-lead: " + e.problem();
                case "tokenLifetime" -> "--token-lifetime: " + e.problem();
                default -> e.getMessage();
            };
        }
    }

    /** Connections straight from {@link DriverManager}: a one-off tool needs no pool. */
    private static final class DriverManagerDataSource implements DataSource {
        private final String url;
        private final String user;
        private final String password;

        DriverManagerDataSource(String url, String user, String password) {
            this.url = url;
            this.user = user;
            this.password = password;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return getConnection(user, password);
        }

        @Override
        public Connection getConnection(String username, String pass) throws SQLException {
            return username == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, username,
                    pass == null ? "" : pass);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // not used
        }

        @Override
        public void setLoginTimeout(int seconds) {
            DriverManager.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() {
            return DriverManager.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            if (type.isInstance(this)) {
                return type.cast(this);
            }
            throw new SQLException("not a wrapper of " + type.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return type.isInstance(this);
        }
    }
}
