"""Binary PPM (P6) images, as `pdftoppm` writes them: read without an imaging library."""


def read_ppm(path):
    """(width, height, pixels): the pixels as a memoryview of RGB bytes, row after row."""
    data = open(path, "rb").read()
    parts, i = [], 0
    while len(parts) < 4:  # magic, width, height, maxval
        while data[i:i + 1].isspace():
            i += 1
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        parts.append(data[i:j])
        i = j
    return int(parts[1]), int(parts[2]), memoryview(data)[i + 1:]
