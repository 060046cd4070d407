using System;
using OpenAI.Images.IO;

namespace OpenAI.Images.Core.Tests.IO;

public class ChunkedBufferStreamTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(65537)]
    [InlineData(3 * 65536)]
    [InlineData(1_000_003)]
    public void ReturnsExactlyWhatWasWrittenWhateverTheChunking(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        var random = new Random(7);
        var stream = new ChunkedBufferStream();
        for (int offset = 0; offset < size;)
        {
            int n = Math.Min(size - offset, random.Next(1, 100_000));
            stream.Write(data, offset, n);
            offset += n;
        }

        Assert.Equal(size, stream.Length);
        Assert.Equal(data, stream.ToArray());
    }

    [Fact]
    public void IsWriteOnly()
    {
        var stream = new ChunkedBufferStream();
        Assert.False(stream.CanRead);
        Assert.Throws<NotSupportedException>(() => stream.Read(new byte[1], 0, 1));
    }
}
