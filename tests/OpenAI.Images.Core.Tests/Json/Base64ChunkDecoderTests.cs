using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Json;
using static OpenAI.Images.Core.Tests.Json.TestStreams;

namespace OpenAI.Images.Core.Tests.Json;

public class Base64ChunkDecoderTests
{
    public static TheoryData<ReadMode> AllModes => Modes;

    private static async Task<byte[]> DecodeAsync(IEnumerable<string> pieces)
    {
        var output = new MemoryStream();
        var decoder = new Base64ChunkDecoder(output);
        foreach (string piece in pieces)
        {
            // Offset the piece inside a larger array to check offset/count handling.
            char[] padded = ("##" + piece + "##").ToCharArray();
            await decoder.WriteAsync(padded, 2, piece.Length, Ct);
        }

        await decoder.CompleteAsync(Ct);
        Assert.Equal(output.Length, decoder.BytesWritten);
        return output.ToArray();
    }

    [Fact]
    public async Task Decodes_with_splits_at_every_position()
    {
        var random = new Random(3);
        for (int length = 0; length <= 40; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            string text = Convert.ToBase64String(data);

            Assert.Equal(data, await DecodeAsync(new[] { text }));
            Assert.Equal(data, await DecodeAsync(text.Select(c => c.ToString())));
            for (int split = 0; split <= text.Length; split++)
            {
                Assert.Equal(data, await DecodeAsync(new[] { text.Substring(0, split), text.Substring(split) }));
            }

            for (int a = 0; a <= text.Length; a++)
            {
                for (int b = a; b <= text.Length; b += 3)
                {
                    Assert.Equal(data, await DecodeAsync(new[] { text.Substring(0, a), text.Substring(a, b - a), text.Substring(b) }));
                }
            }
        }
    }

    [Fact]
    public async Task Ignores_ascii_whitespace_anywhere()
    {
        byte[] data = Encoding.ASCII.GetBytes("any carnal pleas");
        string text = Convert.ToBase64String(data); // ends with "=="
        var random = new Random(11);
        for (int i = 0; i < 200; i++)
        {
            var sb = new StringBuilder();
            foreach (char c in text)
            {
                while (random.Next(3) == 0)
                {
                    sb.Append(" \t\r\n\f"[random.Next(5)]);
                }

                sb.Append(c);
            }

            sb.Append("\r\n");
            string spaced = sb.ToString();
            int cut = random.Next(spaced.Length + 1);
            Assert.Equal(data, await DecodeAsync(new[] { spaced.Substring(0, cut), spaced.Substring(cut) }));
        }
    }

    [Theory]
    [InlineData("QUJD!")]
    [InlineData("QUJ-")]
    [InlineData("QUJ_")]
    [InlineData("QUJé")]
    [InlineData("QQ==QQ==")]
    [InlineData("QUI=QUJD")]
    [InlineData("=QUJ")]
    [InlineData("Q===")]
    [InlineData("QUI==")]
    [InlineData("QQ=Q")]
    [InlineData("QQ===")]
    [InlineData("QUJD\u0000")]
    [InlineData("QUJD\u000b")]
    [InlineData("QU\u00a0JD")]
    public async Task Rejects_invalid_characters_and_padding(string text)
    {
        await Assert.ThrowsAsync<FormatException>(() => DecodeAsync(new[] { text }));
        await Assert.ThrowsAsync<FormatException>(() => DecodeAsync(text.Select(c => c.ToString())));
    }

    [Theory]
    [InlineData("Q")]
    [InlineData("QQ")]
    [InlineData("QUJ")]
    [InlineData("QQ=")]
    [InlineData("QUJDQ")]
    [InlineData("QUJDRA")]
    public async Task Rejects_incomplete_input_on_completion(string text)
    {
        var decoder = new Base64ChunkDecoder(new MemoryStream());
        await decoder.WriteAsync(text.ToCharArray(), 0, text.Length, Ct); // not detectable yet
        await Assert.ThrowsAsync<FormatException>(() => decoder.CompleteAsync(Ct));
    }

    [Fact]
    public async Task Rejects_use_after_completion_and_bad_arguments()
    {
        var decoder = new Base64ChunkDecoder(new MemoryStream());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => decoder.WriteAsync(new char[4], 1, 4, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => decoder.WriteAsync(new char[4], -1, 1, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => decoder.WriteAsync(null!, 0, 0, Ct));
        await decoder.WriteAsync("QUJD".ToCharArray(), 0, 4, Ct);
        await decoder.CompleteAsync(Ct);
        await decoder.CompleteAsync(Ct);
        Assert.Equal(3, decoder.BytesWritten);
        await Assert.ThrowsAsync<InvalidOperationException>(() => decoder.WriteAsync("QUJD".ToCharArray(), 0, 4, Ct));
        Assert.Throws<ArgumentNullException>(() => new Base64ChunkDecoder(null!));
    }

    [Fact]
    public async Task Writes_to_the_destination_in_bounded_blocks()
    {
        byte[] data = new byte[1_000_000];
        new Random(1).NextBytes(data);
        char[] text = Convert.ToBase64String(data).ToCharArray();
        var destination = new RecordingStream();
        var decoder = new Base64ChunkDecoder(destination);
        await decoder.WriteAsync(text, 0, text.Length, Ct);
        Assert.InRange(destination.Length, data.Length - 16384, data.Length); // already written before completion
        await decoder.CompleteAsync(Ct);
        Assert.Equal(data, destination.ToArray());
        Assert.InRange(destination.LargestWrite, 1, 16384);
        Assert.True(destination.Flushed);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Decodes_a_5_MB_b64_json_string_streamed_from_the_reader(ReadMode mode)
    {
        var random = new Random(42);
        byte[] image = new byte[3_932_160]; // base64: exactly 5 MiB of text
        random.NextBytes(image);
        string b64 = Convert.ToBase64String(image);
        Assert.Equal(5 * 1024 * 1024, b64.Length);

        // Some encoders escape '/' as "\/": keep a few of those in to exercise escapes inside the payload.
        var escaped = new StringBuilder(b64.Length + 1000);
        int slashes = 0;
        foreach (char c in b64)
        {
            if (c == '/' && slashes++ % 97 == 0)
            {
                escaped.Append("\\/");
            }
            else
            {
                escaped.Append(c);
            }
        }

        byte[] json = Encoding.UTF8.GetBytes(
            "{\"type\":\"image_generation.partial_image\",\"b64_json\":\"" + escaped + "\",\"partial_image_index\":0,\"size\":\"1024x1024\"}");

        var reader = Reader(json, mode);
        var output = new MemoryStream();
        var decoder = new Base64ChunkDecoder(output);
        var splitter = new Random(mode.GetHashCode());
        int largestChunk = 0;
        string? type = null;
        long? index = null;

        Assert.True(await reader.ReadAsync(Ct));
        while (await reader.ReadAsync(Ct) && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.PropertyName!;
            Assert.True(await reader.ReadAsync(Ct));
            switch (name)
            {
                case "b64_json":
                    await reader.CopyStringToAsync(
                        async (chars, offset, count, ct) =>
                        {
                            largestChunk = Math.Max(largestChunk, count);

                            // Re-split each chunk at random points so that group boundaries fall everywhere.
                            int end = offset + count;
                            while (offset < end)
                            {
                                int piece = Math.Min(end - offset, splitter.Next(4) == 0 ? splitter.Next(1, 3000) : splitter.Next(1, 8));
                                await decoder.WriteAsync(chars, offset, piece, ct);
                                offset += piece;
                            }
                        },
                        Ct);
                    break;
                case "type":
                    type = (await reader.ReadValueAsync(Ct)).GetString();
                    break;
                case "partial_image_index":
                    index = (await reader.ReadValueAsync(Ct)).GetInt64();
                    break;
                default:
                    await reader.SkipAsync(Ct);
                    break;
            }
        }

        await decoder.CompleteAsync(Ct);
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.False(await reader.ReadAsync(Ct));
        Assert.Equal("image_generation.partial_image", type);
        Assert.Equal(0, index);
        Assert.InRange(largestChunk, 1, 8192);
        Assert.Equal(image.Length, decoder.BytesWritten);
        Assert.True(image.AsSpan().SequenceEqual(output.ToArray()), "decoded bytes differ");
    }

    private sealed class RecordingStream : MemoryStream
    {
        public int LargestWrite { get; private set; }

        public bool Flushed { get; private set; }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            LargestWrite = Math.Max(LargestWrite, count);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushed = true;
            return base.FlushAsync(cancellationToken);
        }
    }
}
