using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using OpenAI.Images.Json;
using static OpenAI.Images.Core.Tests.Json.TestStreams;

namespace OpenAI.Images.Core.Tests.Json;

public class ServerSentEventReaderTests
{
    public static TheoryData<ReadMode> AllModes => Modes;

    private static ServerSentEventReader Open(byte[] bytes, ReadMode mode, out ChunkedReadStream stream)
    {
        stream = new ChunkedReadStream(bytes, mode);
        return new ServerSentEventReader(stream, mode == ReadMode.RandomChunks ? 16 : 16384);
    }

    private static ServerSentEventReader Open(string text, ReadMode mode) =>
        Open(Encoding.UTF8.GetBytes(text), mode, out _);

    private static async Task<string> ReadDataAsync(ServerSentEventReader reader)
    {
        var buffer = new MemoryStream();
        await reader.Data.CopyToAsync(buffer, 7, Ct);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task<List<string>> EventsAsync(string text, ReadMode mode)
    {
        var reader = Open(text, mode);
        var events = new List<string>();
        while (await reader.ReadNextAsync(Ct))
        {
            events.Add((reader.EventName ?? "<null>") + "|" + await ReadDataAsync(reader));
        }

        Assert.False(await reader.ReadNextAsync(Ct));
        return events;
    }

    public static TheoryData<string, string[], ReadMode> FramingCases()
    {
        var cases = new (string Text, string[] Expected)[]
        {
            ("event: a\ndata: one\n\nevent: b\ndata: two\n\n", new[] { "a|one", "b|two" }),
            ("event: a\r\ndata: one\r\n\r\nevent: b\r\ndata: two\r\n\r\n", new[] { "a|one", "b|two" }),
            ("event: a\rdata: one\r\revent: b\rdata: two\r\r", new[] { "a|one", "b|two" }),
            ("data: one\r\n\ndata: two\n\r\ndata: three\r\r\n", new[] { "<null>|one", "<null>|two", "<null>|three" }),
            (": ping\n\n: hello\ndata: x\n: mid\ndata: y\n\n", new[] { "<null>|x\ny" }),
            ("data: a\ndata: b\ndata:\ndata: c\n\n", new[] { "<null>|a\nb\n\nc" }),
            ("data: a\r\ndata: b\r\n\r\n", new[] { "<null>|a\nb" }),
            ("data:x\n\ndata:  x\n\ndata\n\ndata:\n\n", new[] { "<null>|x", "<null>| x", "<null>|", "<null>|" }),
            ("data: a:b: c\n\n", new[] { "<null>|a:b: c" }),
            ("data: a\n\ndata: b", new[] { "<null>|a", "<null>|b" }),
            ("data: a\n\ndata: b\n", new[] { "<null>|a", "<null>|b" }),
            ("data: a\n\ndata: b\r", new[] { "<null>|a", "<null>|b" }),
            ("event: ping\n\nevent: msg\ndata: x\n\n", new[] { "msg|x" }),
            ("event: ping\nid: 5\n\ndata: y\n\n", new[] { "<null>|y" }),
            ("event: x\nevent: y\ndata: z\n\n", new[] { "y|z" }),
            ("event:\ndata: z\n\n", new[] { "|z" }),
            ("foo: bar\nData: no\nDATA: no\ndata : no\n data: no\ndata: yes\n\n", new[] { "<null>|yes" }),
            ("\n\n\r\n\r\rdata: x\n\n\n\n", new[] { "<null>|x" }),
            ("\uFEFFdata: bom\n\n", new[] { "<null>|bom" }),
            ("data: \uFEFFkeep\n\n", new[] { "<null>|\uFEFFkeep" }),
            ("data: é中😀\n\n", new[] { "<null>|é中😀" }),
            ("", Array.Empty<string>()),
            ("event: only\n\n: c\n", Array.Empty<string>()),
            ("data: {\"a\":1}\n\nevent: done\ndata: [DONE]\n\n", new[] { "<null>|{\"a\":1}", "done|[DONE]" }),
        };
        var data = new TheoryData<string, string[], ReadMode>();
        foreach (var c in cases)
        {
            foreach (ReadMode mode in Enum.GetValues<ReadMode>())
            {
                data.Add(c.Text, c.Expected, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FramingCases))]
    public async Task Frames_events(string text, string[] expected, ReadMode mode)
    {
        Assert.Equal(expected, await EventsAsync(text, mode));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Skips_data_the_caller_left_unread(ReadMode mode)
    {
        string big = new string('A', 100_000);
        string text = "event: first\ndata: " + big + "\ndata: " + big + "\n\nevent: second\ndata: 2\n\ndata: " + big + "\n\nevent: fourth\ndata: 4\n\n";
        var reader = Open(text, mode);

        Assert.True(await reader.ReadNextAsync(Ct));
        Assert.Equal("first", reader.EventName);
        byte[] head = new byte[3];
        Assert.Equal(3, await reader.Data.ReadAtLeastAsync(head, 3, throwOnEndOfStream: true, Ct));
        Assert.Equal("AAA", Encoding.ASCII.GetString(head));
        Stream first = reader.Data;

        Assert.True(await reader.ReadNextAsync(Ct));
        Assert.Equal("second", reader.EventName);
        Assert.Equal(0, await first.ReadAsync(head, 0, 3, Ct)); // the previous event's stream is detached
        Assert.NotSame(first, reader.Data);
        Assert.Equal("2", await ReadDataAsync(reader));

        Assert.True(await reader.ReadNextAsync(Ct)); // not read at all
        Assert.Null(reader.EventName);
        Assert.True(await reader.ReadNextAsync(Ct));
        Assert.Equal("fourth", reader.EventName);
        Assert.Equal("4", await ReadDataAsync(reader));
        Assert.False(await reader.ReadNextAsync(Ct));
        Assert.Equal(0, await reader.Data.ReadAsync(head, 0, 3, Ct));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Records_id_and_retry_fields(ReadMode mode)
    {
        var reader = Open("id: 42\nretry: 3000\ndata: x\n\nretry: 12x\nretry:\nid: a\0b\ndata: y\n\nid\nretry: 7\ndata: z\n\n", mode);
        Assert.Null(reader.LastEventId);
        Assert.True(await reader.ReadNextAsync(Ct));
        Assert.Equal("42", reader.LastEventId);
        Assert.Equal(3000, reader.RetryMilliseconds);
        Assert.True(await reader.ReadNextAsync(Ct));
        Assert.Equal("42", reader.LastEventId); // id containing NUL ignored
        Assert.Equal(3000, reader.RetryMilliseconds); // non-digits ignored
        Assert.True(await reader.ReadNextAsync(Ct));
        Assert.Equal("", reader.LastEventId);
        Assert.Equal(7, reader.RetryMilliseconds);
        Assert.False(await reader.ReadNextAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Streams_a_multi_megabyte_data_line_without_buffering_it(ReadMode mode)
    {
        int size = (mode == ReadMode.OneByte ? 3 : 8) * 1024 * 1024; // one byte per read is slow: keep that mode shorter
        var text = new StringBuilder(size + 100);
        text.Append("event: big\ndata: ");
        for (int i = 0; i < size; i++)
        {
            text.Append((char)('a' + (i % 26)));
        }

        text.Append("\n\ndata: end\n\n");
        var reader = Open(Encoding.ASCII.GetBytes(text.ToString()), mode, out ChunkedReadStream stream);

        Assert.True(await reader.ReadNextAsync(Ct));
        Assert.Equal("big", reader.EventName);
        byte[] chunk = new byte[100];
        int read = await reader.Data.ReadAsync(chunk, 0, chunk.Length, Ct);
        Assert.InRange(read, 1, 100);
        Assert.Equal((byte)'a', chunk[0]);
        Assert.InRange(stream.Served, 1, 16384 + 100); // nowhere near the multi-megabyte line

        long total = read;
        byte[] buffer = new byte[65536];
        int n;
        while ((n = await reader.Data.ReadAsync(buffer, 0, buffer.Length, Ct)) > 0)
        {
            Assert.Equal((byte)('a' + (total % 26)), buffer[0]);
            total += n;
        }

        Assert.Equal(size, total);
        Assert.True(await reader.ReadNextAsync(Ct));
        Assert.Equal("end", await ReadDataAsync(reader));
        Assert.False(await reader.ReadNextAsync(Ct));
    }

    [Fact]
    public async Task Data_supports_synchronous_reads()
    {
        var reader = Open("data: line one\ndata: two\n\n", ReadMode.OneByte);
        Assert.True(await reader.ReadNextAsync(Ct));
        using var text = new StreamReader(reader.Data, Encoding.UTF8);
        Assert.Equal("line one\ntwo", text.ReadToEnd());
        Assert.False(reader.Data.CanSeek);
        Assert.False(reader.Data.CanWrite);
        Assert.Throws<NotSupportedException>(() => reader.Data.Length);
        Assert.Throws<NotSupportedException>(() => reader.Data.Write(new byte[1], 0, 1));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Event_name_after_data_is_applied_once_the_data_is_read(ReadMode mode)
    {
        // Documented streaming compromise: 'event' normally precedes 'data'; if it follows, it shows up after the data is read.
        var reader = Open("data: x\nevent: late\ndata: y\n\n", mode);
        Assert.True(await reader.ReadNextAsync(Ct));
        Assert.Equal("x\ny", await ReadDataAsync(reader));
        Assert.Equal("late", reader.EventName);
        Assert.False(await reader.ReadNextAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Feeds_partial_image_events_to_the_json_reader_and_base64_decoder(ReadMode mode)
    {
        var random = new Random(8);
        var images = new List<byte[]>();
        var text = new StringBuilder(": keep-alive\r\n\r\n");
        for (int i = 0; i < 3; i++)
        {
            byte[] image = new byte[random.Next(1, 300_000)];
            random.NextBytes(image);
            images.Add(image);
            text.Append("event: image_generation.partial_image\r\n");
            text.Append("data: {\"type\":\"image_generation.partial_image\",\"b64_json\":\"")
                .Append(Convert.ToBase64String(image))
                .Append("\",\"partial_image_index\":").Append(i).Append(",\"usage\":{\"total_tokens\":").Append(100 + i).Append("}}\r\n\r\n");
        }

        text.Append("event: image_generation.completed\r\ndata: {\"type\":\"image_generation.completed\",\"b64_json\":\"QUJD\"}\r\n\r\n");

        var sse = Open(Encoding.UTF8.GetBytes(text.ToString()), mode, out _);
        var decoded = new List<byte[]>();
        var indexes = new List<long?>();
        var names = new List<string?>();
        while (await sse.ReadNextAsync(Ct))
        {
            names.Add(sse.EventName);
            var reader = new JsonStreamReader(sse.Data, mode == ReadMode.RandomChunks ? 16 : 16384);
            var output = new MemoryStream();
            var decoder = new Base64ChunkDecoder(output);
            Assert.True(await reader.ReadAsync(Ct));
            while (await reader.ReadAsync(Ct) && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.PropertyName!;
                Assert.True(await reader.ReadAsync(Ct));
                if (name == "b64_json")
                {
                    await reader.CopyStringToAsync(decoder.WriteAsync, Ct);
                }
                else if (name == "partial_image_index")
                {
                    indexes.Add((await reader.ReadValueAsync(Ct)).GetInt64());
                }
                else
                {
                    await reader.SkipAsync(Ct);
                }
            }

            Assert.False(await reader.ReadAsync(Ct)); // the event's data ends right after the JSON value
            await decoder.CompleteAsync(Ct);
            decoded.Add(output.ToArray());
        }

        Assert.Equal(new[] { "image_generation.partial_image", "image_generation.partial_image", "image_generation.partial_image", "image_generation.completed" }, names);
        Assert.Equal(new long?[] { 0, 1, 2 }, indexes);
        Assert.Equal(4, decoded.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(images[i], decoded[i]);
        }

        Assert.Equal(Encoding.ASCII.GetBytes("ABC"), decoded[3]);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => new ServerSentEventReader(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServerSentEventReader(new MemoryStream(), 0));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Any_bytes_are_a_valid_event_stream(ReadMode mode)
    {
        var random = new Random(23 + (int)mode);
        byte[][] pieces = new[] { "data", "data:", "data: ", "event:", "event: e", "id: 1", "retry: 5", ":", " ", "\r", "\n", "\r\n", "x", "é", "dat", "a" }
            .Select(p => Encoding.UTF8.GetBytes(p))
            .Concat(new[] { new byte[] { 0x00 }, new byte[] { 0xEF, 0xBB, 0xBF }, new byte[] { 0xFF } })
            .ToArray();
        int events = 0;
        for (int i = 0; i < 500; i++)
        {
            var bytes = new List<byte>();
            int count = random.Next(0, 40);
            for (int j = 0; j < count; j++)
            {
                bytes.AddRange(pieces[random.Next(pieces.Length)]);
            }

            byte[] text = bytes.ToArray();

            var reader = Open(text, mode, out _);
            while (await reader.ReadNextAsync(Ct))
            {
                events++;
                if (random.Next(2) == 0)
                {
                    byte[] data = new byte[text.Length + 1];
                    int total = 0;
                    int n;
                    while ((n = await reader.Data.ReadAsync(data, total, data.Length - total, Ct)) > 0)
                    {
                        total += n;
                    }

                    Assert.InRange(total, 0, text.Length);
                    Assert.DoesNotContain((byte)'\r', data.Take(total));
                }
            }
        }

        Assert.True(events > 100, "events: " + events);
    }
}
