package io.raftmq.chaos.report;

import io.raftmq.chaos.check.Faults;
import io.raftmq.chaos.check.History;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's three charts, rendered with JFreeChart into PNG files (no display needed: images are drawn off
 * screen): client completions per second by outcome, the latency of each completed operation, and one lane per
 * member showing its observed role. The first two shade each fault window (inject to heal) and name its nemesis.
 *
 * <p>Stateless; each call builds and renders its own chart.
 */
final class Charts {
    static final String RATES = "rates.png";
    static final String LATENCY = "latency.png";
    static final String ROLES = "roles.png";
    static final int WIDTH = 1200;
    static final int HEIGHT = 420;
    private static final Color OK = new Color(0x2e7d32);
    private static final Color FAIL = new Color(0xc62828);
    private static final Color INFO = new Color(0xef6c00);
    private static final Color FAULT = new Color(255, 0, 0, 28);
    private static final Map<String, Color> ROLE_COLORS = Map.of("leader", new Color(0xc62828), "follower",
        new Color(0x1565c0), "candidate", new Color(0xef6c00), "precandidate", new Color(0xffb300));

    private Charts() {
    }

    /** Completions per second of client operations, one line per outcome. */
    static void rates(Path file, History h, Timeline t, List<Faults.Window> faults) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (History.Type type : List.of(History.Type.OK, History.Type.FAIL, History.Type.INFO)) {
            XYSeries s = new XYSeries(type.name().toLowerCase(Locale.ROOT));
            TreeMap<Long, Integer> counts = t.perSecond.getOrDefault(type, new TreeMap<>());
            for (long sec = 0; sec <= (long) Math.floor(t.endS); sec++) {
                s.add(sec, counts.getOrDefault(sec, 0));
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Client operations completed per second", "time (s)",
            "operations / s", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        paint(r, OK, FAIL, INFO);
        plot.setRenderer(r);
        shade(plot, h, faults);
        save(file, chart, HEIGHT);
    }

    /** Latency of each completed client operation at its completion time, one colour per outcome. */
    static void latency(Path file, History h, Timeline t, List<Faults.Window> faults) throws IOException {
        XYSeries ok = new XYSeries("ok");
        XYSeries fail = new XYSeries("fail");
        XYSeries info = new XYSeries("info");
        for (Timeline.Completion c : t.completions) {
            if (!Double.isNaN(c.latencyMs())) {
                (c.type() == History.Type.OK ? ok : c.type() == History.Type.FAIL ? fail : info)
                    .add(c.atS(), c.latencyMs());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(ok);
        data.addSeries(fail);
        data.addSeries(info);
        JFreeChart chart = ChartFactory.createScatterPlot("Latency of client operations", "time (s)",
            "latency (ms)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        paint(r, OK, FAIL, INFO);
        for (int i = 0; i < 3; i++) {
            r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-1.5, -1.5, 3, 3));
        }
        plot.setRenderer(r);
        shade(plot, h, faults);
        save(file, chart, HEIGHT);
    }

    /** One lane per member: its observed role over time. */
    static void roles(Path file, Timeline t) throws IOException {
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        Map<String, XYIntervalSeries> byRole = new TreeMap<>();
        for (Timeline.RoleSpan s : t.roles) {
            int lane = t.members.indexOf(s.member());
            byRole.computeIfAbsent(s.role(), XYIntervalSeries::new)
                .add(s.fromS(), s.fromS(), s.toS(), lane, lane - 0.35, lane + 0.35);
        }
        byRole.values().forEach(data::addSeries);
        XYBarRenderer r = new XYBarRenderer();
        r.setUseYInterval(true);
        r.setShadowVisible(false);
        r.setBarPainter(new StandardXYBarPainter());
        int i = 0;
        for (String role : byRole.keySet()) {
            r.setSeriesPaint(i++, ROLE_COLORS.getOrDefault(role, Color.GRAY));
        }
        SymbolAxis lanes = new SymbolAxis("member", t.members.toArray(new String[0]));
        NumberAxis time = new NumberAxis("time (s)");
        time.setRange(0, Math.max(1, t.endS));
        XYPlot plot = new XYPlot(data, time, lanes, r);
        JFreeChart chart = new JFreeChart("Observed role per member", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        save(file, chart, Math.max(200, 120 + 50 * t.members.size()));
    }

    private static void paint(XYLineAndShapeRenderer r, Paint... paints) {
        for (int i = 0; i < paints.length; i++) {
            r.setSeriesPaint(i, paints[i]);
            r.setSeriesStroke(i, new BasicStroke(1.5f));
        }
    }

    private static void shade(XYPlot plot, History h, List<Faults.Window> faults) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (Faults.Window w : faults) {
            IntervalMarker m = new IntervalMarker(Timeline.seconds(h, w.startNanos()),
                Timeline.seconds(h, w.endNanos()), FAULT);
            m.setLabel(w.nemesis());
            m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(m, Layer.BACKGROUND);
        }
    }

    private static void save(Path file, JFreeChart chart, int height) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, height);
    }
}
