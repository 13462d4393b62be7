using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace LicenseManager.Web.Features.Dashboard;

/// <summary>One series of a column chart: a name for the legend, a CSS class for its colour, a value per category.</summary>
public sealed record ChartSeries(string Name, string CssClass, IReadOnlyList<double> Values);

/// <summary>
/// A column chart drawn on the server as SVG: no script, readable without CSS, scaled by its viewBox.
/// Categories run along the x axis; series sit side by side in each category, or, when <see cref="Mirrored"/>,
/// the second series hangs below the zero line (installs up, uninstalls down).
/// </summary>
public sealed record ColumnChart
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    public required string XAxisLabel { get; init; }
    public required string YAxisLabel { get; init; }
    public required IReadOnlyList<string> Categories { get; init; }
    public required IReadOnlyList<ChartSeries> Series { get; init; }
    /// <summary>Which category labels to print (all by default); the others keep their tick only.</summary>
    public Func<int, bool> ShowCategoryLabel { get; init; } = _ => true;
    public Func<double, string> FormatValue { get; init; } = v => v.ToString("N0", CultureInfo.InvariantCulture);
    /// <summary>A fixed top of the value axis (100 for percentages); otherwise a round number above the largest value.</summary>
    public double? Max { get; init; }
    /// <summary>A fixed gridline step (25 for percentages); otherwise a round step for about four lines.</summary>
    public double? Step { get; init; }
    public bool Mirrored { get; init; }
    /// <summary>Print each column's value above it (for charts with few columns).</summary>
    public bool ValueLabels { get; init; }
    /// <summary>Text printed above a column instead of its value (e.g. "2 of 5"); null keeps the value.</summary>
    public Func<int, int, string?>? ColumnNote { get; init; }
    public int Width { get; init; } = 760;
    public int Height { get; init; } = 280;

    private const int Left = 64, Right = 12, Top = 30, Bottom = 56;

    public IHtmlContent Render()
    {
        var inv = CultureInfo.InvariantCulture;
        string N(double v) => v.ToString("0.##", inv);
        string E(string s) => HtmlEncoder.Default.Encode(s);

        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        var up = Mirrored ? Series.Take(1).ToList() : Series.ToList();
        var down = Mirrored ? Series.Skip(1).Take(1).ToList() : [];
        var upMax = Max ?? NiceCeiling(up.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var step = Step ?? NiceStep(upMax);
        // One scale both ways, so heights compare; below zero only as many steps as the largest value needs.
        var downMax = down.Count == 0 ? 0 : step * Math.Max(1, Math.Ceiling(down.SelectMany(s => s.Values).DefaultIfEmpty(0).Max() / step));
        var span = upMax + downMax;
        var zeroY = Top + plotH * upMax / span;
        double Y(double v) => zeroY - plotH * v / span;

        var sb = new StringBuilder();
        sb.Append(inv, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"{Id}-title {Id}-desc\" data-testid=\"chart-{Id}\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append(inv, $"<title id=\"{Id}-title\">{E(Title)}</title><desc id=\"{Id}-desc\">{E(Description)}</desc>");

        // Value axis: gridlines and labels at round steps.
        sb.Append("<g class=\"axis y-axis\">");
        for (var v = -downMax; v <= upMax + step / 1000; v += step)
        {
            var y = Y(Math.Abs(v) < step / 1000 ? 0 : v);
            sb.Append(inv, $"<line class=\"grid{(Math.Abs(v) < step / 1000 ? " zero" : "")}\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{N(y)}\" y2=\"{N(y)}\" />");
            sb.Append(inv, $"<text x=\"{Left - 6}\" y=\"{N(y + 4)}\" text-anchor=\"end\">{E(FormatValue(Math.Abs(v)))}</text>");
        }
        sb.Append(inv, $"<text class=\"axis-label\" transform=\"translate(14 {N(Top + plotH / 2.0)}) rotate(-90)\" text-anchor=\"middle\">{E(YAxisLabel)}</text>");
        sb.Append("</g>");

        // Columns.
        var n = Math.Max(1, Categories.Count);
        var band = plotW / (double)n;
        var perBand = Mirrored ? 1 : Math.Max(1, Series.Count);
        var gap = band * (n > 30 ? 0.15 : 0.25);
        var colW = (band - gap) / perBand;
        sb.Append("<g class=\"columns\">");
        for (var i = 0; i < Categories.Count; i++)
        {
            var x0 = Left + i * band + gap / 2;
            for (var s = 0; s < up.Count; s++)
            {
                var v = up[s].Values[i];
                var x = x0 + s * colW;
                sb.Append(inv, $"<rect class=\"{up[s].CssClass}\" x=\"{N(x)}\" y=\"{N(Y(v))}\" width=\"{N(Math.Max(1, colW - 1))}\" height=\"{N(zeroY - Y(v))}\"><title>{E($"{Categories[i]}: {FormatValue(v)} {up[s].Name.ToLowerInvariant()}")}</title></rect>");
                if (ValueLabels)
                {
                    var note = ColumnNote?.Invoke(s, i) ?? FormatValue(v);
                    sb.Append(inv, $"<text class=\"value-label\" x=\"{N(x + colW / 2)}\" y=\"{N(Y(v) - 4)}\" text-anchor=\"middle\">{E(note)}</text>");
                }
            }
            foreach (var d in down)
            {
                var v = d.Values[i];
                sb.Append(inv, $"<rect class=\"{d.CssClass}\" x=\"{N(x0)}\" y=\"{N(zeroY)}\" width=\"{N(Math.Max(1, colW - 1))}\" height=\"{N(Y(-v) - zeroY)}\"><title>{E($"{Categories[i]}: {FormatValue(v)} {d.Name.ToLowerInvariant()}")}</title></rect>");
            }
        }
        sb.Append("</g>");

        // Category axis.
        var axisY = Top + plotH;
        sb.Append("<g class=\"axis x-axis\">");
        sb.Append(inv, $"<line class=\"axis-line\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{axisY}\" y2=\"{axisY}\" />");
        for (var i = 0; i < Categories.Count; i++)
        {
            if (!ShowCategoryLabel(i)) continue;
            var cx = Left + i * band + band / 2;
            sb.Append(inv, $"<line class=\"tick\" x1=\"{N(cx)}\" x2=\"{N(cx)}\" y1=\"{axisY}\" y2=\"{axisY + 4}\" />");
            sb.Append(inv, $"<text x=\"{N(cx)}\" y=\"{axisY + 18}\" text-anchor=\"middle\">{E(Categories[i])}</text>");
        }
        sb.Append(inv, $"<text class=\"axis-label\" x=\"{N(Left + plotW / 2.0)}\" y=\"{Height - 8}\" text-anchor=\"middle\">{E(XAxisLabel)}</text>");
        sb.Append("</g>");

        // Legend, top right, when there is more than one series.
        if (Series.Count > 1)
        {
            var lx = Width - Right - 8;
            sb.Append("<g class=\"legend\">");
            foreach (var s in Series.Reverse())
            {
                var textWidth = s.Name.Length * 6.6;
                lx -= (int)textWidth + 8;
                sb.Append(inv, $"<text x=\"{N(lx)}\" y=\"14\">{E(s.Name)}</text>");
                lx -= 14;
                sb.Append(inv, $"<rect class=\"{s.CssClass}\" x=\"{N(lx)}\" y=\"5\" width=\"10\" height=\"10\" />");
                lx -= 14;
            }
            sb.Append("</g>");
        }
        sb.Append("</svg>");
        return new HtmlString(sb.ToString());
    }

    /// <summary>A round step (1, 2 or 5 × 10ⁿ) giving about four gridlines up to <paramref name="max"/>.</summary>
    public static double NiceStep(double max)
    {
        if (max <= 0) return 1;
        var rough = max / 4;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= rough);
        return Math.Max(1, step);
    }

    /// <summary>The smallest multiple of <see cref="NiceStep"/> at or above <paramref name="max"/> (at least one step).</summary>
    public static double NiceCeiling(double max)
    {
        var step = NiceStep(max);
        return Math.Max(step, Math.Ceiling(max / step) * step);
    }
}
