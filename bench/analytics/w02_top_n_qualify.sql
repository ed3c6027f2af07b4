-- the three largest line items of each supplier in 1998, with QUALIFY
select l_suppkey, l_orderkey, l_linenumber, l_extendedprice
from lineitem
where l_shipdate >= date '1998-01-01'
qualify row_number() over (partition by l_suppkey order by l_extendedprice desc, l_orderkey, l_linenumber) <= 3
order by l_suppkey, l_extendedprice desc, l_orderkey, l_linenumber
