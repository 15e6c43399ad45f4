package io.raftmq.tools.dashboard;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.instance.ClientConfig;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.tools.cluster.ScriptCluster;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser (Debian's headless Chromium driven through chromedriver) against a real three-node
 * group started by {@code bin/raftmq-cluster}: the topics panel lists the start's demo topic, the lookup form finds
 * the demo message by its id, the consumer-groups panel has a row per group; the page shows three members and exactly
 * one leader; after a SIGKILL of that leader it shows another member leading in a higher term within a few seconds,
 * the killed one unreachable, and the Raft panel's timeline lists both leaders; a screenshot is saved to
 * {@code target/dashboard.png}. Needs {@code chromium} and {@code chromium-driver} (.ci/run installs them); without
 * them the test fails, unless RAFTMQ_BROWSER_SKIP names why they could not be installed (then it is skipped with
 * that reason, loudly).
 */
@ProcessTest
class DashboardBrowserTest {
    private static final String CHROMIUM = System.getProperty("raftmq.chromium", "/usr/bin/chromium");
    private static final String DRIVER = System.getProperty("raftmq.chromedriver", "/usr/bin/chromedriver");
    /** How long the page may take to show the new leader after the kill (election + a poll + a page refresh). */
    private static final Duration NEW_LEADER_SHOWN = Duration.ofSeconds(15);
    /** A subscription group the test creates before opening the page. */
    private static final String GROUP = "DashboardTestGroup";

    @TempDir
    Path data;

    @Test
    void showsTheMembersAndTheNewLeaderAfterTheLeaderIsKilled() throws Exception {
        requireBrowser();
        long seed = Long.getLong("raftmq.test.seed", System.nanoTime());
        System.out.println("DashboardBrowserTest seed " + seed + " (-Draftmq.test.seed to repeat)");
        try (ScriptCluster cluster = new ScriptCluster(data, seed)) {
            ScriptCluster.Run start = cluster.cluster("start", "--base-port", Integer.toString(cluster.basePort()));
            assertThat(start.code()).as(start.output()).isZero();
            String namesrv = "127.0.0.1:" + cluster.basePort();
            try (AdminClient admin = new AdminClient(ClientConfig.defaults(List.of(namesrv)))) {
                admin.start();
                admin.createGroup(GROUP); // so that the consumer-groups panel has a row to show
            }
            try (Dashboard dashboard = new Dashboard(namesrv, "127.0.0.1", 0, 500)) {
                WebDriver browser = browser();
                try {
                    browser.get(dashboard.url());
                    lookUpTheDemoMessage(browser, dashboard, start.output());
                    watchAFailover(browser, cluster);
                } finally {
                    browser.quit();
                }
            }
        }
    }

    /**
     * The start's demo message: its topic in the topics panel, the message found by its id through the lookup form;
     * the consumer-groups panel has one total row per group that /api/groups answers.
     */
    private void lookUpTheDemoMessage(WebDriver browser, Dashboard dashboard, String startOutput) throws Exception {
        Matcher demo = Pattern.compile("RESULT demo=ok msgId=(\\S+)").matcher(startOutput);
        assertThat(demo.find()).as(startOutput).isTrue();
        onPage("DemoTopic in the topics panel").atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200)).until(() -> !browser.findElements(
                By.cssSelector("#topics tbody tr[data-topic='DemoTopic']")).isEmpty());
        WebElement form = browser.findElement(By.id("lookup"));
        form.findElement(By.name("id")).sendKeys(demo.group(1));
        form.findElement(By.tagName("button")).click();
        onPage("the demo message found").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
            .until(() -> browser.findElement(By.id("found")).getText().contains("\"topic\": \"DemoTopic\""));

        String groups = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(dashboard.url()
            + "api/groups")).build(), HttpResponse.BodyHandlers.ofString()).body();
        int expected = groups.split("\"clients\":", -1).length - 1;
        assertThat(groups).as("/api/groups lists the group the test created").contains("\"" + GROUP + "\"");
        onPage("one total row per group").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
            .until(() -> browser.findElements(By.cssSelector("#consumers tbody tr.total")).size() == expected
                && !browser.findElements(By.cssSelector("#consumers tbody tr.total[data-group='" + GROUP + "']"))
                    .isEmpty());
    }

    private void watchAFailover(WebDriver browser, ScriptCluster cluster) throws Exception {
        AtomicReference<String[]> first = new AtomicReference<>();
        onPage("three members, one leader on the page").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200)).until(() -> {
                first.set(soleLeader(browser, 3));
                return first.get() != null;
            });
        String oldLeader = first.get()[0];
        long oldTerm = Long.parseLong(first.get()[1]);
        assertThat(browser.findElements(By.cssSelector("#panel-broker-a canvas"))).as("two charts")
            .hasSizeGreaterThan(1);

        ScriptCluster.kill9(cluster.pid(oldLeader));
        long killedAt = System.nanoTime();
        AtomicReference<String[]> next = new AtomicReference<>();
        onPage("another leader in a higher term on the page").atMost(NEW_LEADER_SHOWN)
            .pollInterval(Duration.ofMillis(100)).until(() -> {
                String[] l = soleLeader(browser, 0);
                next.set(l);
                return l != null && !l[0].equals(oldLeader) && Long.parseLong(l[1]) > oldTerm;
            });
        System.out.printf("dashboard: %s (term %d) killed, %s (term %s) shown leading after %d ms%n", oldLeader,
            oldTerm, next.get()[0], next.get()[1], (System.nanoTime() - killedAt) / 1_000_000);
        onPage("the killed leader shown unreachable").atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100)).until(() -> !browser.findElements(By.cssSelector(
                "#overview tbody tr[data-member='" + oldLeader + "'][data-role='UNREACHABLE']")).isEmpty());
        onPage("the timeline lists both leaders").atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(100)).until(() -> {
                String text = browser.findElement(By.cssSelector("#panel-broker-a .timeline")).getText();
                return text.contains(oldLeader) && text.contains(next.get()[0] + " ");
            });
        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "dashboard.png");
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("dashboard: screenshot " + target.toAbsolutePath());
    }

    /** A wait on the page: an element re-rendered while it was read (the page redraws every second) reads again. */
    private static ConditionFactory onPage(String what) {
        return Awaits.await(what).ignoreException(StaleElementReferenceException.class);
    }

    /** {id, term} of the only row whose role is LEADER, when the table has {@code rows} rows (0: any); else null. */
    private static String[] soleLeader(WebDriver browser, int rows) {
        List<WebElement> all = browser.findElements(By.cssSelector("#overview tbody tr"));
        List<WebElement> leaders = browser.findElements(By.cssSelector("#overview tbody tr[data-role='LEADER']"));
        if ((rows > 0 && all.size() != rows) || leaders.size() != 1) {
            return null;
        }
        WebElement l = leaders.get(0);
        return new String[] {l.getAttribute("data-member"), l.getAttribute("data-term")};
    }

    private WebDriver browser() throws Exception {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
            "--window-size=1200,1500", "--user-data-dir=" + Files.createTempDirectory(data, "chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
            .usingAnyFreePort().build();
        return new ChromeDriver(service, o);
    }

    private static void requireBrowser() {
        boolean present = Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(DRIVER));
        String skip = System.getenv("RAFTMQ_BROWSER_SKIP");
        if (!present && skip != null && !skip.isBlank()) {
            System.err.println("!!!!!!!! DashboardBrowserTest SKIPPED: no browser (" + CHROMIUM + ", " + DRIVER
                + "): " + skip + " !!!!!!!!");
            Assumptions.abort("no browser: " + skip);
        }
        assertThat(present).as("headless Chromium and chromedriver at " + CHROMIUM + " and " + DRIVER
            + " (apt-get install chromium chromium-driver; .ci/run does it)").isTrue();
    }
}
