package dev.gatehouse.demo.attack;

import dev.gatehouse.demo.support.Ports;
import dev.gatehouse.demo.support.TomcatDistribution;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token attack suite against the WAR in the real Tomcat 10.1 distribution, under a context
 * path, with a fresh H2 file database and the suite's key file (system properties, as an operator
 * would set them in {@code CATALINA_OPTS}).
 */
class TomcatTokenAttackIT extends TokenAttackContract {
    private static final String CONTEXT = "attack";
    private TomcatDistribution tomcat;
    private String issuer;

    @Override
    protected void startServer() throws Exception {
        Path war = Path.of(System.getProperty("gatehouse.test.war", "target/gatehouse-demo.war"));
        assertThat(war).as("the WAR is built in 'package', before these tests").isRegularFile();
        Path work = Path.of(System.getProperty("gatehouse.test.work", "target/it-work"));
        Files.createDirectories(work);
        Path base = Files.createTempDirectory(work.toAbsolutePath(), "tomcat-attack-tokens-");
        Path keys = KEYS.writeKeysFile(base.resolve("conf/gatehouse-keys.json"));
        int port = Ports.free();
        issuer = "http://127.0.0.1:" + port + "/" + CONTEXT;
        tomcat = TomcatDistribution.start(base, war, CONTEXT, Map.of(
                "gatehouse.jdbc.url", "jdbc:h2:file:" + base.resolve("data/gatehouse").toAbsolutePath(),
                "gatehouse.keys.file", keys.toAbsolutePath().toString(),
                "gatehouse.refresh.reuse.grace", REUSE_GRACE.toString(),
                "gatehouse.bcrypt.cost", String.valueOf(BCRYPT_COST),
                "gatehouse.client.attempts.per.minute", String.valueOf(CLIENT_ATTEMPTS_PER_MINUTE),
                "gatehouse.test.mode", "true",
                "gatehouse.issuer", issuer), port, Duration.ofSeconds(180));
        assertThat(tomcat.logLinesContaining("SEVERE")).as("errors while deploying:\n%s", tomcat.log()).isEmpty();
    }

    @Override
    protected void stopServer() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    @Override
    protected URI base() {
        return tomcat.uri("/" + CONTEXT + "/");
    }

    @Override
    protected String issuer() {
        return issuer;
    }
}
