using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;

namespace OpenAI.Images.PowerShell
{
    /// <summary>
    /// Turns the -AdditionalBody hashtable into plain .NET values for the core: PSObject wrappers are removed (keys and
    /// values, at every level), a [pscustomobject] becomes an object of its properties, other dictionaries and lists
    /// are copied. Keys keep their types, so the core can reject one that is not a string.
    /// </summary>
    internal static class AdditionalBodyParameter
    {
        private const int MaxDepth = 64;

        public static IDictionary? Normalize(IDictionary? body) => body is null ? null : (IDictionary)Normalize((object)body, 0)!;

        private static object? Normalize(object? value, int depth)
        {
            if (depth > MaxDepth)
            {
                return value; // the core reports the depth
            }

            if (value is PSObject pso)
            {
                if (pso.BaseObject is PSCustomObject)
                {
                    var properties = new OrderedDictionary();
                    foreach (PSPropertyInfo property in pso.Properties)
                    {
                        properties[property.Name] = Normalize(property.Value, depth + 1);
                    }

                    return properties;
                }

                value = pso.BaseObject;
            }

            switch (value)
            {
                case string _:
                    return value;
                case IDictionary dictionary:
                    var copy = new OrderedDictionary();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        copy[Normalize(entry.Key, depth + 1)!] = Normalize(entry.Value, depth + 1);
                    }

                    return copy;
                case IEnumerable items:
                    var list = new List<object?>();
                    foreach (object? item in items)
                    {
                        list.Add(Normalize(item, depth + 1));
                    }

                    return list;
                default:
                    return value;
            }
        }
    }
}
