// Line protocol: exact output for documented examples, escaping round trips, and every bad line
// reported with its number (InfluxDB 1.x line protocol reference, "Syntax" and "Special characters").
using System.Text;
using DigitalTwin.TimeSeries.LineProtocol;
using DigitalTwin.TimeSeries.Points;

namespace DigitalTwin.TimeSeries.Tests;

public sealed class LineProtocolTests
{
    [Fact]
    public void Writes_the_documented_form()
    {
        // The reference's own example: weather,location=us-midwest temperature=82 1465839830100400200
        var batch = new PointBatch();
        batch.Add(SeriesKey.Create("weather", [new("location", "us-midwest")]), 1465839830100400200).Float("temperature", 82);
        Assert.Equal("weather,location=us-midwest temperature=82 1465839830100400200\n", LineProtocolWriter.Format(batch));
    }

    [Fact]
    public void Writes_every_field_kind_and_sorts_tags()
    {
        var batch = new PointBatch();
        batch.Add(SeriesKey.Create("m", [new("z", "1"), new("a", "2")]), 5)
            .Float("f", 1.5).Integer("i", -7).Boolean("b", true).String("s", "say \"hi\" \\ there");
        Assert.Equal("m,a=2,z=1 f=1.5,i=-7i,b=true,s=\"say \\\"hi\\\" \\\\ there\" 5\n", LineProtocolWriter.Format(batch));
    }

    [Theory]
    [InlineData("cpu load", "host name", "a,b=c d", "field, =x")]
    [InlineData("m=1", "k", "v=1,w=2", "f")]
    [InlineData("µ-measure", "zelle", "Zelle Ä", "Spannung [V]")]
    public void Escaped_names_and_values_round_trip(string measurement, string tag, string value, string field)
    {
        var batch = new PointBatch();
        batch.Add(SeriesKey.Create(measurement, [new(tag, value)]), 42).Float(field, 3.25).String("note", "a \"quoted\", spaced = text");
        var text = LineProtocolWriter.Format(batch);
        var parsed = new PointBatch();
        var errors = new List<LineProtocolError>();
        new LineProtocolReader().Parse(Encoding.UTF8.GetBytes(text), parsed, 1, 0, errors);

        Assert.Empty(errors);
        Assert.Equal(measurement, parsed.Series(0).Measurement);
        Assert.Equal(value, parsed.Series(0).Tag(tag));
        Assert.Equal(42, parsed.Timestamp(0));
        Assert.Equal(3.25, parsed.Fields(0)[0].Float);
        Assert.Equal(field, parsed.Fields(0)[0].Name);
        Assert.Equal("a \"quoted\", spaced = text", parsed.Fields(0)[1].Text);
    }

    [Theory]
    [InlineData("m\\", "k", "v")]
    [InlineData("m", "k\\", "v")]
    [InlineData("m", "k", "v\\")]
    [InlineData("m", "k", "two\nlines")]
    public void Backslashes_and_line_breaks_in_keys_are_refused(string measurement, string tag, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => SeriesKey.Create(measurement, [new(tag, value)]));
        Assert.Contains("line protocol cannot carry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Floats_round_trip_bit_for_bit()
    {
        var random = new Random(7);
        var batch = new PointBatch();
        var key = SeriesKey.Create("m", []);
        var values = Enumerable.Range(0, 2_000).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-300, 300)))
            .Concat([0.0, -0.0, double.Epsilon, double.MaxValue, double.MinValue, 1e-7, 123456789.123456789]).ToList();
        for (var i = 0; i < values.Count; i++)
        {
            batch.Add(key, i).Float("v", values[i]);
        }

        var parsed = new PointBatch();
        var errors = new List<LineProtocolError>();
        new LineProtocolReader().Parse(Encoding.UTF8.GetBytes(LineProtocolWriter.Format(batch)), parsed, 1, 0, errors);
        Assert.Empty(errors);
        for (var i = 0; i < values.Count; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(values[i]), BitConverter.DoubleToInt64Bits(parsed.Fields(i)[0].Float));
        }
    }

    [Fact]
    public void Every_bad_line_is_reported_with_its_number_and_good_lines_are_kept()
    {
        const string Body = "m,a=b f=1 10\n" +
                            "no_fields_here\n" +
                            "m,a=b f=1x 11\n" +
                            "m,a f=1 12\n" +
                            "\n# a comment\n" +
                            "m,a=b f=\"open 13\n" +
                            "m,a=b f=2,f=3 14\n" +
                            "m,a=b f=4 later\n" +
                            "m,a=b f=NaN 15\n" +
                            "m,a=b g=5i,h=t 16\n";
        var batch = new PointBatch();
        var errors = new List<LineProtocolError>();
        var added = new LineProtocolReader().Parse(Encoding.UTF8.GetBytes(Body), batch, 1, 0, errors);

        Assert.Equal(2, added);
        Assert.Equal([2, 3, 4, 7, 8, 9, 10], errors.Select(e => e.Line));
        Assert.Contains("no fields", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("'1x' is not a number", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("not key=value", errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("no closing quote", errors[3].Message, StringComparison.Ordinal);
        Assert.Contains("appears twice", errors[4].Message, StringComparison.Ordinal);
        Assert.Contains("not an integer", errors[5].Message, StringComparison.Ordinal);
        Assert.Equal(16, batch.Timestamp(1));
        Assert.Equal(5, batch.Fields(1)[0].Integer);
        Assert.True(batch.Fields(1)[1].Boolean);
    }

    [Theory]
    [InlineData("s", 1_000_000_000L)]
    [InlineData("ms", 1_000_000L)]
    [InlineData("u", 1_000L)]
    [InlineData("ns", 1L)]
    public void Precision_scales_timestamps_and_a_missing_timestamp_takes_the_default(string precision, long multiplier)
    {
        var batch = new PointBatch();
        var errors = new List<LineProtocolError>();
        new LineProtocolReader().Parse("m f=1 7\nm f=2\n"u8, batch, LineProtocolReader.PrecisionMultiplier(precision), 99, errors);
        Assert.Empty(errors);
        Assert.Equal(7 * multiplier, batch.Timestamp(0));
        Assert.Equal(99, batch.Timestamp(1));
    }

    [Fact]
    public void Points_refuse_infinite_values_and_skip_NaN()
    {
        var batch = new PointBatch();
        var key = SeriesKey.Create("m", []);
        batch.Add(key, 1).Float("a", double.NaN).Float("b", 2);
        Assert.Equal(1, batch.Fields(0).Length);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => batch.Add(key, 2).Float("c", double.PositiveInfinity));
        Assert.Contains("Field 'c'", error.Message, StringComparison.Ordinal);
    }
}
