namespace OpenAI.Images.Imaging
{
    /// <summary>The CRC-32 of PNG chunks (ISO 3309 / ITU-T V.42, polynomial 0xEDB88320, reflected), slicing by 4.</summary>
    internal static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        /// <summary>The CRC of <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public static uint Compute(byte[] data, int offset, int count)
        {
            uint[] t = Table;
            uint crc = 0xFFFFFFFFu;
            int i = offset;
            int end = offset + count;
            for (; i + 4 <= end; i += 4)
            {
                crc ^= data[i] | ((uint)data[i + 1] << 8) | ((uint)data[i + 2] << 16) | ((uint)data[i + 3] << 24);
                crc = t[768 + (int)(crc & 0xFF)] ^ t[512 + (int)((crc >> 8) & 0xFF)] ^ t[256 + (int)((crc >> 16) & 0xFF)] ^ t[(int)(crc >> 24)];
            }

            for (; i < end; i++)
            {
                crc = t[(int)((crc ^ data[i]) & 0xFF)] ^ (crc >> 8);
            }

            return crc ^ 0xFFFFFFFFu;
        }

        private static uint[] BuildTable()
        {
            var table = new uint[1024];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }

                table[n] = c;
            }

            for (int n = 0; n < 256; n++)
            {
                for (int s = 1; s < 4; s++)
                {
                    uint previous = table[((s - 1) * 256) + n];
                    table[(s * 256) + n] = table[previous & 0xFF] ^ (previous >> 8);
                }
            }

            return table;
        }
    }
}
